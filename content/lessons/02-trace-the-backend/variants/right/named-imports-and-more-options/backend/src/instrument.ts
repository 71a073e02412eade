import { init } from '@sentry/node';

init({
  dsn: process.env.SENTRY_DSN ?? 'http://public@localhost:8969/1',
  environment: 'development',
  tracesSampleRate: 1,
  sendDefaultPii: false,
});
