// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// A shopper visits the shop as it is now shipped (the real frontend in a simulated browser page):
// the products do not load, and they press "Place order" anyway.
import { fireEvent, screen } from '@testing-library/dom';
import { beforeAll, expect, test } from 'vitest';
import { isBrowser, waitFor, type Recorded } from './telemetry.ts';

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

// The SDKs drop an error identical to the one just sent (Dedupe), so with shoppers running the
// backend may report this TypeError only once: look through the whole recording.
const inventoryTypeErrors = ({ errors }: Recorded) =>
  errors.filter((e) => e.service === 'backend' && e.type === 'TypeError' && e.frames.some((f) => f.filename?.endsWith('inventory.ts') && f.function?.includes('listProducts')));

test('the backend reports a TypeError from the in-stock filter', async () => {
  const found = await waitFor((recording) => inventoryTypeErrors(recording)[0]);
  expect(found, 'No TypeError from listProducts arrived from the backend. Is Sentry.setupExpressErrorHandler(app) still in backend/src/app.ts (lesson 2)?').toBeDefined();
});

// A frame in the shop's frontend code: a file path on disk, or the URL Vite serves it at.
const FRONTEND_CODE = /\/frontend\/src\/|^https?:\/\/[^/]+\/src\//;

test("the frontend code's error is in the same trace as the backend's", async () => {
  const joined = await waitFor((recording) => {
    const traces = new Set(inventoryTypeErrors(recording).map((e) => e.traceId));
    return recording.errors.find((e) => e.traceId && traces.has(e.traceId) && e.frames.some((f) => FRONTEND_CODE.test(f.filename ?? '')));
  });
  expect(
    joined,
    "No error from the frontend's code shares a trace with the backend's TypeError. Does App.tsx still report the failed load with Sentry.captureException (lesson 3), and is /api/ in tracePropagationTargets?",
  ).toBeDefined();
});

test('checkouts now carry 0 items: the drop-off on the dashboard', async () => {
  const empty = await waitFor(({ spans }) => spans.find((s) => isBrowser(s) && s.name === 'Submit Checkout Form' && s.start >= startedAt && s.attributes.items_at_checkout === 0));
  expect(empty, 'No "Submit Checkout Form" span with items_at_checkout 0 arrived. Is the span from lesson 4 still in Checkout.tsx?').toBeDefined();
});
