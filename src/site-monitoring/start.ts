/**
 * The course's own monitoring, for a host that builds the site with PUBLIC_SENTRY_DSN (README:
 * "Monitoring a hosted copy"). Loaded after the first paint, only then; without a DSN none of it
 * is in the site. Sends the workspace's boots and checks (session-spans.ts), errors of the site,
 * and web vitals; never the learner's code, edits, terminal output or the shop's telemetry.
 */
import * as Sentry from '@sentry/browser';
import { courseSession } from '../session/course-session.ts';
import { scrubEvent } from './scrub.ts';
import { reportSession } from './session-spans.ts';

export function startSiteMonitoring(dsn: string): void {
  Sentry.init({
    dsn,
    // Nothing about the learner: no user fields, cookies, headers, query strings or bodies.
    dataCollection: { userInfo: false, cookies: false, httpHeaders: false, httpBodies: [], urlQueryParams: false },
    tracesSampleRate: 1,
    integrations: [Sentry.browserTracingIntegration(), Sentry.webVitalsIntegration()],
    // The shop's own requests, and the sandbox's, are the learner's business.
    tracePropagationTargets: [],
    beforeSend: (event) => scrubEvent(event),
    beforeBreadcrumb: (crumb) => (crumb.category === 'console' || crumb.category === 'ui.input' ? null : crumb),
  });
  let reporting = false;
  const watchWorkspace = () => {
    if (reporting || !document.querySelector('.lesson-layout')) return;
    reporting = true;
    reportSession(courseSession());
  };
  watchWorkspace();
  document.addEventListener('astro:page-load', watchWorkspace);
}
