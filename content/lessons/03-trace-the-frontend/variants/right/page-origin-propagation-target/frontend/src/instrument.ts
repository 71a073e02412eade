import * as Sentry from '@sentry/react';

Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  // Envelopes go through the shop's own origin; Vite forwards /tunnel to the collector.
  tunnel: '/tunnel',
  integrations: [Sentry.browserTracingIntegration()],
  // Keep every trace while developing.
  tracesSampler: () => 1,
  // The API as a full URL: this page's own origin, then /api/.
  tracePropagationTargets: [`${window.location.origin}/api/`],
});
