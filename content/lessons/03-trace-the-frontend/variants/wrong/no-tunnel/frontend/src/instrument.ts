import * as Sentry from '@sentry/react';

Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  integrations: [Sentry.browserTracingIntegration()],
  tracesSampleRate: 1.0,
  tracePropagationTargets: [/^\/api\//],
});
