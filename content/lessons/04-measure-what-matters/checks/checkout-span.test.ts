// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper in a simulated browser page on the shop's origin: the real frontend (main.tsx), the real
// backend behind Vite's proxy, and the learner's instrumentation sending to the collector.
import { fireEvent, screen } from '@testing-library/dom';
import { beforeAll, expect, test } from 'vitest';
import { isBackend, isBrowser, waitFor, type Span } from './telemetry.ts';

const startedAt = Date.now();

beforeAll(async () => {
  document.body.innerHTML = '<div id="root"></div>';
  await import('../frontend/src/main.tsx');
  const addMug = await screen.findByRole('button', { name: 'Add Trail Mug to cart' }, { timeout: 10_000 });
  fireEvent.click(addMug);
  fireEvent.click(addMug);
  fireEvent.click(screen.getByRole('button', { name: 'Add Span Tee to cart' }));
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
  fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
  await screen.findByRole('status', {}, { timeout: 10_000 });
});

let found: ReturnType<typeof waitFor<Span>> | undefined;
const checkoutSpan = () => (found ??= waitFor(({ spans }) => spans.find((s) => isBrowser(s) && s.name === 'Submit Checkout Form' && s.start >= startedAt)));

test('placing an order sends a "Submit Checkout Form" span from the browser', async () => {
  expect(
    await checkoutSpan(),
    'No "Submit Checkout Form" span arrived after placing an order. Wrap the work of handleSubmit in frontend/src/components/Checkout.tsx in Sentry.startSpan({ name: \'Submit Checkout Form\' }, async (span) => { … }).',
  ).toBeDefined();
});

test('the span carries items_at_checkout with the number of items in the cart', async () => {
  const span = await checkoutSpan();
  expect(span, 'First make the "Submit Checkout Form" span (see above).').toBeDefined();
  expect(span?.attributes.items_at_checkout, 'The shopper checked out 3 items (2 Trail Mugs, 1 Span Tee). Set span.setAttribute(\'items_at_checkout\', …) to the sum of the cart lines\' quantities.').toBe(3);
});

test('the POST /checkout request runs inside the checkout span, in one trace with the backend', async () => {
  const span = await checkoutSpan();
  expect(span, 'First make the "Submit Checkout Form" span (see above).').toBeDefined();
  const server = await waitFor(({ spans }) => spans.find((s) => isBackend(s) && s.op === 'http.server' && s.name === 'POST /checkout' && s.traceId === span!.traceId));
  expect(server, 'The backend\'s POST /checkout span is not in the checkout span\'s trace. Call checkout(…) inside the startSpan callback, and await it there, so the request is a child of the span.').toBeDefined();
});
