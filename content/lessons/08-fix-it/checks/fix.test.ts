// The fix, judged by what the shop does: the in-stock list in the running shop, a product selling
// out in a fresh copy of the learner's app, and the learner's reproduction test from lesson 7.
import type { AddressInfo } from 'node:net';
import { expect, test } from 'vitest';
import { BACKEND as SHOP, backendUpToDate } from './running-shop.ts';
import { firstFailure, runTestFile, TEST_FILE_TIMEOUT_MS } from './sandbox-tests.ts';
import { isBackend, newTrace, recorded, waitFor } from './telemetry.ts';

type Listing = { id: string; name: string; stock: number };
const ids = (products: Listing[]) => products.map((p) => p.id);

// Run while the other checks do, in a second or two. The second version puts lesson 6's bug back
// under the learner's test: a test that no longer catches it was weakened, not fixed.
const runs = runTestFile('tests/in-stock.test.ts', { asItIs: {}, onTheBug: { shipped: ['backend/src/inventory.ts'] } });

test('GET /products?in_stock_only=true answers 200 with exactly the products in stock, and reports no error', async () => {
  await backendUpToDate();
  const { traceId, headers } = newTrace();
  const response = await fetch(`${SHOP}/products?in_stock_only=true`, { headers }).catch(() => null);
  expect(response, 'The backend on port 3001 does not answer. Shop output shows why.').not.toBeNull();
  expect(response!.status, 'Still not 200. Look at the backend error in Issues again, and at how productInventory starts in backend/src/inventory.ts.').toBe(
    200,
  );
  const inStock: Listing[] = await response!.json();
  const all: Listing[] = await (await fetch(`${SHOP}/products`)).json();
  const { catalog } = await import('../backend/src/catalog.ts');
  expect(
    ids(all),
    'GET /products without the filter must still list the whole catalogue, sold-out products included: only ?in_stock_only=true leaves them out.',
  ).toEqual(catalog.map((p) => p.id));
  expect(ids(inStock), 'The in-stock list should hold every product with units on the shelf, and nothing else.').toEqual(ids(all.filter((p) => p.stock > 0)));
  // Errors are sent as they happen, before the answer; the request's own span comes half a second
  // after it. Once that span is in, anything the request reported is too.
  const span = await waitFor(({ spans }) => spans.find((s) => s.traceId === traceId && isBackend(s) && s.op === 'http.server'), 2000);
  const errors = (await recorded()).errors.filter((e) => e.traceId === traceId);
  expect(
    errors.map((e) => `${e.type}: ${e.value}`),
    'The backend reported an error while answering the in-stock list.',
  ).toEqual([]);
  expect(span?.status ?? 'ok', 'The backend marked its GET /products?in_stock_only=true span as failed.').toBe('ok');
});

test('a product that sells out leaves the in-stock list', async () => {
  // A fresh copy of the learner's app, so the running shop keeps its stock.
  const { createApp } = await import('../backend/src/app.ts');
  const server = createApp().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const before: Listing[] = await (await fetch(`${url}/products?in_stock_only=true`)).json();
    expect(Array.isArray(before) && before.length > 0, 'The in-stock list is empty although products have units on the shelf.').toBe(true);
    const last = before.reduce((fewest, p) => (p.stock < fewest.stock ? p : fewest));
    for (let left = last.stock; left > 0; left -= Math.min(left, 99)) {
      const order = await fetch(`${url}/checkout`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: last.id, quantity: Math.min(left, 99) }], customer: { name: 'Ada', email: 'ada@example.com' } }),
      });
      expect(order.status, `Buying the last ${last.name}s failed: ${await order.text()}`).toBe(201);
    }
    const after: Listing[] = await (await fetch(`${url}/products?in_stock_only=true`)).json();
    expect(
      ids(after),
      `Every ${last.name} was sold, yet the in-stock list still offers it. Is it computed from the stock levels, or from a list written by hand?`,
    ).not.toContain(last.id);
    const all: Listing[] = await (await fetch(`${url}/products`)).json();
    expect(all.find((p) => p.id === last.id)?.stock, `The sold-out ${last.name} should stay in the full list, with stock 0.`).toBe(0);
  } finally {
    server.close();
  }
});

test('your reproduction test (tests/in-stock.test.ts) now passes', { timeout: TEST_FILE_TIMEOUT_MS }, async () => {
  const run = (await runs).asItIs;
  expect(run.exists, 'tests/in-stock.test.ts is gone: lesson 7 wrote it; "Show solution" there has one.').toBe(true);
  const failure = firstFailure(run);
  expect(failure, `tests/in-stock.test.ts still fails:\n${failure}`).toBeUndefined();
});

test("your reproduction test still catches the bug: with lesson 6's inventory put back, it fails", { timeout: TEST_FILE_TIMEOUT_MS }, async () => {
  const run = (await runs).onTheBug;
  expect(run.exists, 'tests/in-stock.test.ts is gone: lesson 7 wrote it; "Show solution" there has one.').toBe(true);
  expect(run.loadError, `tests/in-stock.test.ts did not run: ${run.loadError}`).toBeUndefined();
  expect(
    run.tests.some((t) => t.status === 'failed'),
    "With lesson 6's null inventory put back, tests/in-stock.test.ts passes: it no longer tests the bug. Keep its request for in-stock products and " +
      'its expectations as lesson 7 wrote them, and fix listProducts in inventory.ts rather than the test or the code around it (a route that ' +
      'never asks listProducts for in-stock products leaves the bug in place).',
  ).toBe(true);
});
