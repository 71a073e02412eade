// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper on a flaky connection opens the shop: the real frontend (main.tsx) in a simulated page
// on the shop's origin. Their first product load dies on the way; they press "Try again", and the
// second one reaches the real backend through Vite's /api proxy.
import { fireEvent, screen } from '@testing-library/dom';
import { expect, test } from 'vitest';
import { browserTracingProblem, flushPageSdk, openShop, productsLoaded, productsShown } from './shop-page.ts';
import { isBackend, isBrowser, requestTo, waitFor, type Span } from './telemetry.ts';

const visit = (async () => {
  await openShop('fails on the way');
  if ((await productsShown()) !== 'failed')
    throw new Error('The first product load was cut off, yet the page showed products. Did App.tsx stop loading them with getProducts()?');
  fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
  if (!(await productsLoaded())) throw new Error('"Try again" did not bring the products back. Shop output shows what the backend said.');
  await flushPageSdk();
})();
visit.catch(() => undefined);

// Once the page's SDK is flushed, what it sent has reached the collector: short waits suffice.
const AFTER_FLUSH_MS = 1000;

const productsFetch = (s: Span) => isBrowser(s) && s.op === 'http.client' && requestTo(s, '/api/products') && s.status === 'ok';

test('the shop page sends spans from the browser SDK', async () => {
  await visit;
  const problem = browserTracingProblem();
  if (problem) throw new Error(problem);
  const span = await waitFor(({ spans }) => spans.find(isBrowser), AFTER_FLUSH_MS);
  expect(
    span,
    "No span from the browser SDK arrived. Is its dsn http://public@localhost:8969/1 with tunnel: '/tunnel'? Shop output shows whether the collector " +
      'received anything.',
  ).toBeDefined();
});

test("the backend's GET /products span continues the browser's trace", async () => {
  await visit;
  const problem = browserTracingProblem();
  if (problem) throw new Error(`First the browser spans: ${problem}`);
  const request = await waitFor(({ spans }) => spans.find(productsFetch), AFTER_FLUSH_MS);
  expect(request, "The browser SDK sent no span for the page's GET /api/products: is browserTracingIntegration() in its integrations?").toBeDefined();
  // The backend sends its span half a second after it answered, which was before the page's flush.
  const joined = await waitFor(
    ({ spans }) => spans.find((s) => isBackend(s) && s.op === 'http.server' && s.name === 'GET /products' && s.traceId === request!.traceId),
    AFTER_FLUSH_MS,
  );
  expect(
    joined,
    "The backend's GET /products span is not in the browser's trace. Is /api/ in tracePropagationTargets (e.g. [/^\\/api\\//]), so fetch calls to it " +
      'carry the sentry-trace header?',
  ).toBeDefined();
});

test('a product list that fails to load is reported with Sentry.captureException', async () => {
  await visit;
  if (!(await import('@sentry/react')).getClient()) throw new Error(browserTracingProblem());
  const reported = await waitFor(({ errors }) => errors.find((e) => isBrowser(e) && /Failed to fetch/.test(e.value)), AFTER_FLUSH_MS);
  expect(
    reported,
    'The page could not load the products ("Failed to fetch") and showed "Try again", but no error reached Sentry. In frontend/src/App.tsx, report it ' +
      "in loadProducts's catch with Sentry.captureException(error) before setLoadError(…).",
  ).toBeDefined();
});
