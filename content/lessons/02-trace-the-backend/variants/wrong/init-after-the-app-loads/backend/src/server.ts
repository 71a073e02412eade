import * as Sentry from '@sentry/node';
import { createApp } from './app.ts';

Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  tracesSampleRate: 1.0,
});

const port = Number(process.env.BACKEND_PORT ?? 3001);

createApp().listen(port, '127.0.0.1', () => {
  console.log(`Backend listening on http://127.0.0.1:${port}`);
});
