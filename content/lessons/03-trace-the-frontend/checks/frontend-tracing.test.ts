// @vitest-environment happy-dom
// @vitest-environment-options {"url":"http://127.0.0.1:5173/"}
// Loads the storefront's real entry point (frontend/src/main.tsx) in a simulated browser page on the
// shop's origin, so its calls go through Vite's /api proxy and its envelopes through /tunnel.
import { beforeAll, expect, test } from 'vitest';
import { isBackend, isBrowser, waitFor, type Span } from './telemetry.ts';

const startedAt = Date.now();
const fromThisPage = (span: Span) => span.start >= startedAt - 1000;

beforeAll(async () => {
  document.body.innerHTML = '<div id="root"></div>';
  await import('../frontend/src/main.tsx');
});

let firstBrowserSpan: Promise<Span | undefined> | undefined;
const browserSpan = () => (firstBrowserSpan ??= waitFor(({ spans }) => spans.find((s) => isBrowser(s) && fromThisPage(s))));

test('the shop page sends spans from the browser SDK', async () => {
  const span = await browserSpan();
  expect(
    span,
    'No span from the browser SDK arrived in 8 s. Does frontend/src/instrument.ts call Sentry.init with browserTracingIntegration() and tracesSampleRate, and is it the first import of frontend/src/main.tsx?',
  ).toBeDefined();
});

test("the backend's GET /products span continues the browser's trace", async () => {
  expect(await browserSpan(), 'First the browser spans (see above).').toBeDefined();
  const joined = await waitFor(({ spans }) => {
    const browserTraces = new Set(spans.filter((s) => isBrowser(s) && fromThisPage(s)).map((s) => s.traceId));
    return spans.find((s) => isBackend(s) && s.op === 'http.server' && s.name === 'GET /products' && browserTraces.has(s.traceId));
  });
  expect(
    joined,
    "The backend's GET /products span is not in the same trace as the browser's spans. Is /api/ in tracePropagationTargets (e.g. [/^\\/api\\//]), so fetch calls to it carry the sentry-trace header?",
  ).toBeDefined();
});
