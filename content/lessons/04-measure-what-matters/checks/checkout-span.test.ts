// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper places two orders in the real frontend (main.tsx in a simulated page on the shop's
// origin, the real backend behind Vite's proxy). The carts differ from one Check to the next, and
// from each other, so only a count of the cart can match them both.
import { expect, test } from 'vitest';
import { browserTracingProblem, fillCart, finishPageLoad, flushPageSdk, openShop, placeOrder, productsShown } from './shop-page.ts';
import { ancestry, isBrowser, recorded, requestTo, waitFor, type Span } from './telemetry.ts';

const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low + 1));
// Several units of one product in each cart: a count of cart lines never matches the items.
const mugs = between(2, 4);
const tees = between(1, 2);
const notebookChoices = [2, 3, 4, 5].filter((n) => n !== mugs + tees);
const notebooks = notebookChoices[between(0, notebookChoices.length - 1)]!;
const carts: { items: number; lines: Record<string, number>; says: string }[] = [
  { items: mugs + tees, lines: { 'Trail Mug': mugs, 'Span Tee': tees }, says: `${mugs} Trail Mugs and ${tees} Span Tee${tees > 1 ? 's' : ''}` },
  { items: notebooks, lines: { 'Debug Notebook': notebooks }, says: `${notebooks} Debug Notebooks` },
];

const shopping = (async () => {
  await openShop();
  if ((await productsShown()) !== 'loaded')
    throw new Error('The shop page could not load its products, so the shopper could not check out. Shop output shows what the backend said.');
  finishPageLoad();
  for (const cart of carts) {
    await fillCart(cart.lines);
    const answer = await placeOrder();
    if (!/Thank you/.test(answer)) throw new Error(`Placing an order for ${cart.says} did not go through; the page said: "${answer}".`);
  }
  await flushPageSdk();
})();
shopping.catch(() => undefined);

interface Checkout {
  cart: (typeof carts)[number];
  /** The browser's POST /api/checkout span. */
  request?: Span;
  /** The "Submit Checkout Form" span the request ran in, if it did. */
  span?: Span;
}

/** Each order's request, and the checkout span around it; the spans of a flushed page arrive together. */
const checkouts = (async (): Promise<{ orders: Checkout[]; spans: Span[] }> => {
  await shopping;
  const problem = browserTracingProblem();
  if (problem) throw new Error(problem);
  const requests = await waitFor(({ spans }) => {
    const found = spans.filter((s) => isBrowser(s) && s.op === 'http.client' && requestTo(s, '/api/checkout')).sort((a, b) => a.start - b.start);
    return found.length >= carts.length ? found : undefined;
  }, 1000);
  const spans = (await recorded()).spans.filter(isBrowser);
  const named = spans.filter((s) => s.name === 'Submit Checkout Form').sort((a, b) => a.start - b.start);
  return {
    spans: named,
    orders: carts.map((cart, i) => {
      const request = requests?.[i];
      return { cart, request, span: request && ancestry(request, spans).find((s) => s.name === 'Submit Checkout Form') };
    }),
  };
})();
checkouts.catch(() => undefined);

test('placing an order sends a "Submit Checkout Form" span from the browser', async () => {
  const { spans } = await checkouts;
  expect(
    spans.length,
    'No "Submit Checkout Form" span arrived after placing two orders. Wrap the work of handleSubmit in frontend/src/components/Checkout.tsx in ' +
      "Sentry.startSpan({ name: 'Submit Checkout Form' }, async (span) => { … }).",
  ).toBeGreaterThan(0);
});

test('the span carries items_at_checkout with the number of items in the cart', async () => {
  const { spans, orders } = await checkouts;
  expect(spans.length, 'First make the "Submit Checkout Form" span (see above).').toBeGreaterThan(0);
  // Judged on the span around each order's request, or else on the checkout spans in order.
  const carried = orders.map((order, i) => (order.span ?? spans[i])?.attributes.items_at_checkout);
  const expected = orders.map((order) => order.cart.items);
  expect(
    carried,
    `The shopper ordered ${orders.map((o) => `${o.cart.says} (${o.cart.items} items)`).join(', then ')}; the checkout spans carried items_at_checkout ${carried.map((v) => (v === undefined ? 'unset' : JSON.stringify(v))).join(' and ')}. Set span.setAttribute('items_at_checkout', …) to the sum of the cart lines' quantities.`,
  ).toEqual(expected);
});

test('the POST /api/checkout request runs inside the checkout span, which lasts until it is done', async () => {
  const { spans, orders } = await checkouts;
  expect(spans.length, 'First make the "Submit Checkout Form" span (see above).').toBeGreaterThan(0);
  for (const order of orders) {
    expect(order.request, 'The browser SDK sent no span for the POST /api/checkout request.').toBeDefined();
    expect(
      order.span,
      'The POST /api/checkout request is not inside the "Submit Checkout Form" span: call checkout(…) inside the startSpan callback, so the request ' +
        'becomes a child of the span.',
    ).toBeDefined();
    // A span that does not wait ends as its request starts. One that waits can still read a few
    // milliseconds early on a loaded machine (seen once: 2.6 ms), so half the request is allowed.
    const leeway = Math.max(1, (order.request!.end - order.request!.start) / 2);
    expect(
      order.span!.end >= order.request!.end - leeway,
      `The "Submit Checkout Form" span ends ${(order.request!.end - order.span!.end).toFixed(1)} ms before its POST /api/checkout request does: ` +
        'await checkout(…) inside the callback (and await or return Sentry.startSpan), so the span lasts as long as the checkout.',
    ).toBe(true);
  }
});
