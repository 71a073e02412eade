// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper visits the shop as it is now shipped (the real frontend in a simulated browser page):
// the products do not load, and they press "Place order" anyway.
import { fireEvent, screen } from '@testing-library/dom';
import { beforeAll, expect, test } from 'vitest';
import { isBrowser, waitFor } from './telemetry.ts';

const startedAt = Date.now();

beforeAll(async () => {
  document.body.innerHTML = '<div id="root"></div>';
  await import('../frontend/src/main.tsx');
  await screen.findByRole('button', { name: 'Try again' }, { timeout: 10_000 }).catch(() => {
    throw new Error('The products loaded: this lesson starts with the in-stock filter shipped. Did something undo it? "Reset" brings the lesson\'s code back.');
  });
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
  fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
  await screen.findByText('Your cart is empty.', { selector: '[role="alert"]' }, { timeout: 10_000 });
});

const backendTypeError = () =>
  waitFor(({ errors }) => errors.find((e) => e.service === 'backend' && e.type === 'TypeError' && e.timestamp >= startedAt - 1000));

test('the backend reports a TypeError from the in-stock filter', async () => {
  const error = await backendTypeError();
  expect(error, 'No TypeError from the backend arrived. Is Sentry.setupExpressErrorHandler(app) still in backend/src/app.ts (lesson 2)?').toBeDefined();
  expect(error!.frames.some((frame) => frame.filename?.endsWith('inventory.ts') && frame.function?.includes('listProducts'))).toBe(true);
});

test("the frontend's error is in the same trace as the backend's", async () => {
  const backend = await backendTypeError();
  expect(backend, 'First the backend error (see above).').toBeDefined();
  const frontend = await waitFor(({ errors }) => errors.find((e) => e.service === 'frontend' && e.traceId === backend!.traceId));
  expect(frontend, "No frontend error shares the backend error's trace. Does App.tsx still report the failed load with Sentry.captureException (lesson 3), and is /api/ in tracePropagationTargets?").toBeDefined();
});

test('checkouts now carry 0 items: the drop-off on the dashboard', async () => {
  const empty = await waitFor(({ spans }) => spans.find((s) => isBrowser(s) && s.name === 'Submit Checkout Form' && s.start >= startedAt && s.attributes.items_at_checkout === 0));
  expect(empty, 'No "Submit Checkout Form" span with items_at_checkout 0 arrived. Is the span from lesson 4 still in Checkout.tsx?').toBeDefined();
});
