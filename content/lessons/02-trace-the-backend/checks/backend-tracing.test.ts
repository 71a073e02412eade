import { expect, test } from 'vitest';
import { isBackend, waitFor } from './telemetry.ts';

test('a GET /products server span from the backend reaches the collector', async () => {
  const response = await fetch('http://127.0.0.1:3001/products').catch(() => null);
  expect(response?.status, 'The backend on port 3001 should answer GET /products. The Terminal shows why it does not.').toBe(200);
  const span = await waitFor(({ spans }) => spans.find((s) => isBackend(s) && s.op === 'http.server' && s.name === 'GET /products'));
  expect(
    span,
    'No `GET /products` span from @sentry/node arrived in 8 s. Is Sentry.init in backend/src/instrument.ts, with the dsn http://public@localhost:8969/1 and tracesSampleRate set?',
  ).toBeDefined();
});
