import * as Sentry from '@sentry/node';

// Loaded before the app, so Sentry can trace Express and the HTTP server from the first request.
Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  tracesSampleRate: 1.0,
  // Print what the SDK captures and sends, to watch the outage from the terminal too.
  debug: true,
});
