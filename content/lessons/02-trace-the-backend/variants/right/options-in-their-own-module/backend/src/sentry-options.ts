import type { NodeOptions } from '@sentry/node';

/** Where the backend's telemetry goes, and how much of it: kept apart so it can change per environment. */
export const sentryOptions: NodeOptions = {
  dsn: process.env.SENTRY_DSN ?? 'http://public@127.0.0.1:8969/1',
  tracesSampleRate: Number(process.env.SENTRY_TRACES_SAMPLE_RATE ?? 1),
};
