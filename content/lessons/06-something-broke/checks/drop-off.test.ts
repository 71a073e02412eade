// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper visits the shop as it is now shipped (the real frontend in a simulated page): the
// products do not load, and they press "Place order" anyway.
import { expect, test } from 'vitest';
import { browserTracingProblem, finishPageLoad, flushPageSdk, openShop, placeOrder, productsShown } from './shop-page.ts';
import { errorsBeforeThisCheck, isBackend, isBrowser, recorded, requestTo, waitFor, type ErrorEvent, type Span } from './telemetry.ts';

/** When the page showed that the products failed to load, and when the shopper pressed "Place order". */
let productsFailedAt = Infinity;
let orderPlacedAt = Infinity;

const visit = (async () => {
  await openShop();
  if ((await productsShown()) !== 'failed') {
    throw new Error(
      'The products loaded: this lesson starts with the in-stock filter shipped, and nothing to fix yet. Did something undo it? "Reset" brings the ' +
        "lesson's code back.",
    );
  }
  productsFailedAt = Date.now();
  finishPageLoad();
  orderPlacedAt = Date.now();
  const answer = await placeOrder();
  if (!/cart is empty/.test(answer))
    throw new Error(`Placing an order with an empty cart should be refused ("Your cart is empty."); the page said: "${answer}".`);
  await flushPageSdk();
})();
visit.catch(() => undefined);

const failedProductList = (s: Span) => isBackend(s) && s.op === 'http.server' && s.name === 'GET /products' && s.status !== 'ok';
const fromListProducts = (e: ErrorEvent) =>
  isBackend(e) && e.type === 'TypeError' && e.frames.some((f) => f.filename?.endsWith('inventory.ts') && f.function?.includes('listProducts'));

// The backend sends a request's spans half a second after answering it: a second and a half
// after the page saw the failure, they are in, or they are not coming.
const backendSpansIn = visit.then(() => waitFor(({ spans }) => spans.find(failedProductList), Math.max(300, productsFailedAt + 1500 - Date.now())));
backendSpansIn.catch(() => undefined);

test('the backend reports a TypeError from the in-stock filter', async () => {
  const failed = await backendSpansIn;
  expect(
    failed,
    "The page's product list failed, but no failed GET /products span came from the backend. Is Sentry.init still in backend/src/instrument.ts, with " +
      'tracesSampleRate (lesson 2)?',
  ).toBeDefined();
  if ((await recorded()).errors.some(fromListProducts)) return;
  // None in this Check: the backend's SDK drops an error identical to the last one it sent
  // (Dedupe), as after shoppers ran. Then this same backend process reported it before.
  const sameProcess = (await errorsBeforeThisCheck('listProducts')).filter(
    (e) => fromListProducts(e) && e.appStartTime === failed!.attributes['app.start_time'],
  );
  expect(
    sameProcess.length,
    "The backend answered the page's GET /products with a failure but reported no TypeError from listProducts to Sentry. Is Sentry.init still in " +
      'backend/src/instrument.ts, and the Express error handling from lesson 2 in app.ts?',
  ).toBeGreaterThan(0);
});

test("the frontend's error is in the same trace as the backend's failed request", async () => {
  await visit;
  if (!(await import('@sentry/react')).getClient()) throw new Error(browserTracingProblem());
  const frontendError = await waitFor(({ errors }) => errors.find((e) => isBrowser(e) && e.timestamp < orderPlacedAt), 1000);
  expect(
    frontendError,
    'No error from the frontend arrived when the products failed to load. Does App.tsx still report it with Sentry.captureException (lesson 3)?',
  ).toBeDefined();
  await backendSpansIn;
  const failedRequest = await waitFor(({ spans }) => spans.find((s) => failedProductList(s) && s.traceId === frontendError!.traceId), 500);
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
  const empty = await waitFor(
    ({ spans }) => spans.find((s) => isBrowser(s) && s.name === 'Submit Checkout Form' && s.attributes.items_at_checkout === 0),
    1000,
  );
  expect(empty, 'No "Submit Checkout Form" span with items_at_checkout 0 arrived. Is the span from lesson 4 still in Checkout.tsx?').toBeDefined();
});
