// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper visits the shop as it is now shipped (the real frontend in a simulated page): the
// products do not load, and they press "Place order" anyway.
import { afterAll, expect, test } from 'vitest';
import { startBackendCopy } from './backend-copy.ts';
import { browserTracingProblem, finishPageLoad, flushPageSdk, openShop, placeOrder, productsShown } from './shop-page.ts';
import { isBackend, isBrowser, recorded, requestTo, waitFor, type ErrorEvent } from './telemetry.ts';

/** When the shopper pressed "Place order": errors from before are the failed product load's. */
let orderPlacedAt = Infinity;

const visit = (async () => {
  await openShop();
  if ((await productsShown()) !== 'failed') {
    throw new Error('The products loaded: this lesson starts with the in-stock filter shipped, and nothing to fix yet. Did something undo it? "Reset" brings the lesson\'s code back.');
  }
  finishPageLoad();
  orderPlacedAt = Date.now();
  const answer = await placeOrder();
  if (!/cart is empty/.test(answer)) throw new Error(`Placing an order with an empty cart should be refused ("Your cart is empty."); the page said: "${answer}".`);
  await flushPageSdk();
})();
visit.catch(() => undefined);

// The running backend's SDK drops an error identical to the one it sent last (Dedupe), so with
// shoppers running it may have reported this TypeError long before the Check. A fresh copy of the
// backend (the same code, started the same way) reports it for the Check's own request.
const copy = startBackendCopy();
copy.catch(() => undefined);
afterAll(async () => (await copy.catch(() => undefined))?.close());

const fromListProducts = (e: ErrorEvent) => e.type === 'TypeError' && e.frames.some((f) => f.filename?.endsWith('inventory.ts') && f.function?.includes('listProducts'));

test('the backend reports a TypeError from the in-stock filter', async () => {
  const backend = await copy;
  if (!backend.sdk.initialised) throw new Error('Sentry is no longer initialised in the backend: backend/src/instrument.ts should call Sentry.init (lesson 2).');
  const traceId = crypto.randomUUID().replaceAll('-', '');
  const response = await fetch(`${backend.url}/products?in_stock_only=true`, { headers: { 'sentry-trace': `${traceId}-${traceId.slice(0, 16)}` } });
  expect(response.status, 'GET /products?in_stock_only=true should still fail with 500 in this lesson: the bug is not to be fixed yet.').toBe(500);
  const reported = await waitFor(({ errors }) => errors.find((e) => e.traceId === traceId && isBackend(e)), 1500);
  expect(reported, 'The backend answered 500 but reported no error. Is Sentry.init still in backend/src/instrument.ts (lesson 2)?').toBeDefined();
  expect(fromListProducts(reported!), `The backend reported ${reported!.type}: ${reported!.value}, not the TypeError from listProducts in backend/src/inventory.ts.`).toBe(true);
});

test("the frontend's error is in the same trace as the backend's failed request", async () => {
  await visit;
  if (!(await import('@sentry/react')).getClient()) throw new Error(browserTracingProblem());
  const frontendError = await waitFor(({ errors }) => errors.find((e) => isBrowser(e) && e.timestamp < orderPlacedAt), 1000);
  expect(frontendError, "No error from the frontend arrived when the products failed to load. Does App.tsx still report it with Sentry.captureException (lesson 3)?").toBeDefined();
  const failedRequest = await waitFor(
    ({ spans }) => spans.find((s) => isBackend(s) && s.op === 'http.server' && s.name === 'GET /products' && s.status !== 'ok' && s.traceId === frontendError!.traceId),
    1500,
  );
  const browserCall = (await recorded()).spans.find((s) => isBrowser(s) && requestTo(s, '/api/products'));
  expect(
    failedRequest,
    browserCall
      ? "The frontend's error is not in the trace of the backend's failed GET /products. Is /api/ still in tracePropagationTargets (lesson 3)?"
      : `The browser sent no span for its product request. ${browserTracingProblem() ?? 'Is the browser SDK still tracing (lesson 3)?'}`,
  ).toBeDefined();
});

test('checkouts now carry 0 items: the drop-off on the dashboard', async () => {
  await visit;
  const problem = browserTracingProblem();
  if (problem) throw new Error(problem);
  const empty = await waitFor(({ spans }) => spans.find((s) => isBrowser(s) && s.name === 'Submit Checkout Form' && s.attributes.items_at_checkout === 0), 1000);
  expect(empty, 'No "Submit Checkout Form" span with items_at_checkout 0 arrived. Is the span from lesson 4 still in Checkout.tsx?').toBeDefined();
});
