import * as Sentry from '@sentry/react';

Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  // Envelopes go through the shop's own origin; Vite forwards /tunnel to the collector.
  tunnel: '/tunnel',
  // Fewer integrations, less noise while we look for the error.
  integrations: [],
  tracesSampleRate: 1.0,
  // Continue the trace into the backend on calls to our API.
  tracePropagationTargets: [/^\/api\//],
});
