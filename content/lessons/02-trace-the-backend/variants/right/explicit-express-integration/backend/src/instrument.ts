import * as Sentry from '@sentry/node';

// Loaded before the app, so Sentry can trace Express and the HTTP server from the first request.
Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  release: 'storefront@dev',
  environment: 'workspace',
  // Already among the defaults; listed to make it plain what gets traced.
  integrations: [Sentry.httpIntegration(), Sentry.expressIntegration()],
  tracesSampleRate: 1.0,
});
