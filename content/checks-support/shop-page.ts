// The shop's real frontend (frontend/src/main.tsx) in a simulated browser page (happy-dom) on the
// shop's origin, for checks that play a shopper: its calls go through Vite's /api proxy to the real
// backend, and its envelopes through /tunnel to the collector. Test files that use it declare
//   // @vitest-environment happy-dom
//   // @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
import * as Sentry from '@sentry/react';
import { fireEvent, screen } from '@testing-library/dom';
import { backendUpToDate } from './running-shop.ts';
import { patient } from './patience.ts';

/** What the network does to the page's first GET /api/products. */
export type FirstProductLoad = 'reaches the shop' | 'fails on the way';

/**
 * Renders the shop as main.tsx does. With 'fails on the way', the first product load dies before
 * it reaches the shop, with the browser's own `TypeError: Failed to fetch`, as on a dropped
 * connection; everything else goes through. (The SDK wraps `fetch` as it starts, so it sees and
 * traces that failure as it would a real one.) Either way the page's requests to the API are
 * tracked, so waits on the page are for the shop's answers (onThePage).
 */
export async function openShop(firstProductLoad: FirstProductLoad = 'reaches the shop'): Promise<void> {
  await backendUpToDate();
  const network = globalThis.fetch;
  let failNextProductLoad = firstProductLoad === 'fails on the way';
  globalThis.fetch = function (input: RequestInfo | URL, init?: RequestInit) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (failNextProductLoad && /\/api\/products(\?|$)/.test(url)) {
      failNextProductLoad = false;
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    const answered = network.call(this, input, init);
    if (/\/api\//.test(url)) inFlight(answered);
    return answered;
  };
  document.body.innerHTML = '<div id="root"></div>';
  await import('../frontend/src/main.tsx');
}

/** The page's requests to the shop's API that have no answer yet, and when the last one got its answer. */
const pending = new Set<Promise<unknown>>();
let lastAnswerAt = 0;

function inFlight(request: Promise<unknown>): void {
  const settled = request.then(
    () => undefined,
    () => undefined,
  );
  pending.add(settled);
  settled.then(() => {
    pending.delete(settled);
    lastAnswerAt = Date.now();
  });
}

/** However slow the shop is, a request with no answer after this long is not getting one. */
const REQUEST_CEILING_MS = 60_000;

/**
 * Polls the page until `probe` finds what it looks for. The page gets `ms` (as this computer needs
 * it) to show it after its last request to the shop was answered: waiting is for the shop's
 * answers, however slow a busy machine makes them, not for a fixed time.
 */
async function onThePage<T>(probe: () => T | undefined, ms: number, nothingShown: () => string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    const now = Date.now();
    if (pending.size > 0 && now - started > REQUEST_CEILING_MS)
      throw new Error(
        `The page's request to the shop got no answer within ${REQUEST_CEILING_MS / 1000} s. Is the backend stuck on something? Shop output shows its output.`,
      );
    if (pending.size === 0 && now - Math.max(started, lastAnswerAt) > patient(ms)) throw new Error(nothingShown());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Why the page's SDK cannot send spans, when that is already clear once main.tsx has run (then a
 * check says so at once instead of waiting for spans that cannot come); undefined when it can.
 */
export function browserTracingProblem(): string | undefined {
  const client = Sentry.getClient();
  if (!client) {
    return (
      'Sentry is not initialised in the page: nothing called Sentry.init before the shop rendered. Does frontend/src/instrument.ts call Sentry.init, and ' +
      'does frontend/src/main.tsx import it first?'
    );
  }
  const options = client.getOptions();
  if (!((typeof options.tracesSampleRate === 'number' && options.tracesSampleRate > 0) || typeof options.tracesSampler === 'function')) {
    return 'Sentry.init in the page has no tracesSampleRate above 0, so the SDK keeps no traces. Set tracesSampleRate: 1.0.';
  }
  if (!client.getIntegrationByName('BrowserTracing')) {
    return 'Sentry.init in the page has no browserTracingIntegration(), so it does not trace the page load or its fetch calls. Add it to integrations.';
  }
  return undefined;
}

/**
 * Sends what the page's SDK holds (ended spans, queued events) now, instead of when its page-load
 * span ends a second or more later. The SDK ends a fetch span up to 300 ms after the response
 * (it waits for the browser's resource timing, which a simulated page never gives), so a fetch made
 * just before is only flushed after that.
 */
export async function flushPageSdk(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 350));
  await Sentry.getClient()?.flush(patient(3000));
}

/**
 * A shopper reads the page before buying, and by then the SDK has ended its page-load span (a
 * second after the page goes quiet); a simulated shopper is quicker. Ending it now stands in for
 * that second. It matters: while it runs, the browser SDK parents every new span to it (its
 * parentSpanIsAlwaysRootSpan default), so a checkout's request would not be a child of the
 * checkout span, as it is for a real shopper.
 */
export function finishPageLoad(): void {
  const active = Sentry.getActiveSpan();
  if (!active) return;
  // SDK v11 gives a streamed span's op as an attribute.
  const json = Sentry.spanToJSON(active) as { op?: string; attributes?: Record<string, unknown> };
  if ((json.op ?? json.attributes?.['sentry.op']) === 'pageload') active.end();
}

const within = { timeout: patient(5000) };

/** Waits for the product list, or the message that it failed, and says which. */
export function productsShown(): Promise<'loaded' | 'failed'> {
  return onThePage(
    () =>
      screen.queryAllByRole('button', { name: /^Add .+ to cart$/ }).length > 0
        ? 'loaded'
        : screen.queryByRole('button', { name: 'Try again' })
          ? 'failed'
          : undefined,
    5000,
    () => 'The shop page showed neither products nor "We couldn\'t load products" after the shop answered. Open the Preview: what does it show?',
  );
}

/** Waits for the product list itself (after "Try again", its button is still there for a moment). */
export function productsLoaded(): Promise<boolean> {
  return onThePage(
    () => (screen.queryAllByRole('button', { name: /^Add .+ to cart$/ }).length > 0 ? true : undefined),
    5000,
    () => '',
  ).catch(() => false);
}

/** Puts products in the cart by clicking "Add <name> to cart", and waits until the cart shows them. */
export async function fillCart(lines: Record<string, number>): Promise<void> {
  for (const [productName, quantity] of Object.entries(lines)) {
    const button = screen.getByRole('button', { name: `Add ${productName} to cart` });
    for (let i = 0; i < quantity; i++) fireEvent.click(button);
  }
  const items = Object.values(lines).reduce((sum, quantity) => sum + quantity, 0);
  await screen.findByRole('link', { name: `Cart, ${items} items` }, within).catch(() => {
    throw new Error(`The cart did not show the ${items} items the shopper added. Did App.tsx's cart change?`);
  });
}

/** Fills in the checkout form and presses "Place order"; resolves with what the page answers. */
export async function placeOrder(): Promise<string> {
  const answered = new Set(
    screen
      .queryAllByRole('status')
      .concat(screen.queryAllByRole('alert'))
      .map((element) => element.textContent),
  );
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
  fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
  fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
  return onThePage(
    () =>
      [...screen.queryAllByRole('status'), ...screen.queryAllByRole('alert')]
        .map((element) => element.textContent ?? '')
        .find((text) => text && !answered.has(text)),
    5000,
    () =>
      'Pressing "Place order" got no answer on the page (no confirmation, no error). Is handleSubmit in frontend/src/components/Checkout.tsx still ' +
      'posting the order?',
  );
}
