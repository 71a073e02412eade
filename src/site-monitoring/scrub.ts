/**
 * What the course's own monitoring may send, and what it must not: no learner code, edits,
 * terminal output or shop telemetry, no file paths of the learner's computer, no user or IP.
 * Pure, so it is tested on its own (tests/site-monitoring/).
 */

/** Absolute file paths (POSIX home/temp folders, Windows drives) become a placeholder. */
const FILE_PATH = /(?:[A-Za-z]:\\[^\s'"`]+|\/(?:home|Users|tmp|var|private|root|mnt|opt|srv|workspace|work)\/[^\s'"`]+?)(?=[:,;)]?(?:\s|$))/g;

export function scrubPaths(text: string): string {
  return text.replace(FILE_PATH, '<path>');
}

/** Breadcrumb categories that could carry what the learner typed or what their shop printed. */
const DROPPED_BREADCRUMBS = new Set(['console', 'ui.input']);

interface Breadcrumb {
  category?: string;
  message?: string;
}
interface EventLike {
  message?: string;
  exception?: {
    values?: {
      value?: string;
      stacktrace?: {
        frames?: { filename?: string; abs_path?: string; pre_context?: string[]; context_line?: string; post_context?: string[]; vars?: unknown }[];
      };
    }[];
  };
  breadcrumbs?: Breadcrumb[];
  extra?: unknown;
  user?: unknown;
}

/** Sentry's beforeSend: keeps what the event says went wrong, drops or blurs the rest. */
export function scrubEvent<T extends EventLike>(event: T): T {
  if (event.message) event.message = scrubPaths(event.message);
  for (const exception of event.exception?.values ?? []) {
    if (exception.value) exception.value = scrubPaths(exception.value);
    for (const frame of exception.stacktrace?.frames ?? []) {
      if (frame.filename) frame.filename = scrubPaths(frame.filename);
      if (frame.abs_path) frame.abs_path = scrubPaths(frame.abs_path);
      // Source context could be the learner's code (an error thrown through Monaco, say).
      delete frame.pre_context;
      delete frame.context_line;
      delete frame.post_context;
      delete frame.vars;
    }
  }
  event.breadcrumbs = event.breadcrumbs
    ?.filter((crumb) => !DROPPED_BREADCRUMBS.has(crumb.category ?? ''))
    .map((crumb) => (crumb.message ? { ...crumb, message: scrubPaths(crumb.message) } : crumb));
  delete event.extra;
  delete event.user;
  return event;
}
