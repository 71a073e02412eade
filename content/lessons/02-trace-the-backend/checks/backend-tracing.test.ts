import { afterAll, expect, test } from 'vitest';
import { startBackendCopy, type BackendCopy } from './backend-copy.ts';
import { BACKEND, backendUpToDate } from './running-shop.ts';
import { isBackend, newTrace, waitFor, type Span } from './telemetry.ts';

// A copy of the learner's backend with a product that cannot be listed: GET /products fails there
// with a real TypeError in the shop's code, which the running shop never does. It also reports how
// backend/src/instrument.ts left the SDK. Started at once, as it takes a second or two.
const copy = startBackendCopy({ unreadableProduct: true });
copy.catch(() => undefined);
afterAll(async () => (await copy.catch(() => undefined))?.close());

/** Why nothing from the backend's SDK can reach the collector, when that is certain; else undefined. */
function cannotArrive(sdk: BackendCopy['sdk']): string | undefined {
  if (!sdk.initialised) return 'Sentry is not initialised in the backend: backend/src/instrument.ts, which runs before the app, does not call Sentry.init.';
  if (!sdk.enabled)
    return 'Sentry.init in backend/src/instrument.ts sets enabled to false here, so the SDK sends nothing: leave enabled out (or true) while you run the shop.';
  const dsn = URL.canParse(sdk.dsn ?? '') ? new URL(sdk.dsn!) : undefined;
  if (dsn?.protocol === 'https:' && dsn.port === '8969') {
    return `Sentry.init in backend/src/instrument.ts sends to ${sdk.dsn} over HTTPS, but the collector beside the shop speaks plain HTTP: use http://public@localhost:8969/1.`;
  }
  if (dsn?.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(dsn.hostname) || dsn.port !== '8969' || dsn.pathname !== '/1') {
    return (
      `Sentry.init in backend/src/instrument.ts sends to ${sdk.dsn ?? 'no dsn'}, where no collector listens. The collector beside the shop is ` +
      `http://public@localhost:8969/1.`
    );
  }
  return undefined;
}

/** Resolves with a reason as soon as the copy shows nothing can arrive; never resolves otherwise. */
const hopeless = (also: (sdk: BackendCopy['sdk']) => string | undefined = () => undefined) =>
  new Promise<string>(
    (resolve) =>
      void copy.then(
        ({ sdk }) => {
          const reason = cannotArrive(sdk) ?? also(sdk);
          if (reason) resolve(reason);
        },
        () => undefined,
      ),
  );

test('a GET /products server span from the backend reaches the collector', async () => {
  await backendUpToDate();
  const { traceId, headers } = newTrace();
  const response = await fetch(`${BACKEND}/products`, { headers }).catch(() => null);
  expect(response?.status, 'The backend on port 3001 should answer GET /products. Shop output shows why it does not.').toBe(200);
  const noTracing = (sdk: BackendCopy['sdk']) =>
    sdk.tracing
      ? undefined
      : 'Sentry.init in backend/src/instrument.ts has no tracesSampleRate above 0, so the SDK keeps no traces. Set tracesSampleRate: 1.0.';
  // A trace's spans arrive together, so the first server span of the request's trace settles it.
  // The backend sends a request's spans half a second after answering it.
  const span = await Promise.race([
    waitFor(({ spans }) => spans.find((s: Span) => s.traceId === traceId && isBackend(s) && s.op === 'http.server'), 2000),
    hopeless(noTracing),
  ]);
  if (typeof span === 'string') throw new Error(span);
  if (!span) {
    // Nothing came; on a busy machine the copy may only now be able to say why.
    const sdk = (await copy.catch(() => undefined))?.sdk;
    const why = sdk && (cannotArrive(sdk) ?? noTracing(sdk));
    throw new Error(
      why ?? "No span from @sentry/node arrived for the Check's GET /products. Did the backend restart after your last save? Shop output shows it.",
    );
  }
  if (span.name !== 'GET /products') {
    throw new Error(
      `The backend's span for GET /products is named "${span.name}", without its route: Sentry started after Express was loaded, so it could not ` +
        `instrument it. Call Sentry.init in backend/src/instrument.ts, which runs before the app.`,
    );
  }
});

test("a server error is reported to Sentry, in its request's trace", async () => {
  const backend = await copy;
  const unreachable = cannotArrive(backend.sdk);
  if (unreachable) throw new Error(unreachable);
  const { traceId, headers } = newTrace();
  const response = await fetch(`${backend.url}/products`, { headers });
  expect(response.status, "A request that throws should answer 500. Did the shop's own error handler (onError) in backend/src/app.ts change?").toBe(500);
  // Errors are sent as they are captured, before the response: they need no long wait.
  const event = await waitFor(({ errors }) => errors.find((e) => e.traceId === traceId && isBackend(e)), 1500);
  expect(
    event,
    'A request failed with a TypeError inside GET /products and answered 500, but no error reached Sentry in its trace. With Sentry loaded first, the ' +
      "SDK reports errors thrown in Express routes; Sentry.setupExpressErrorHandler(app), after the routes and before the shop's own error handler, " +
      "reports any that reach Express's error handling.",
  ).toBeDefined();
});
