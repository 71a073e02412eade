// The learner's reproduction test, judged by what it does: it must fail on the shop as shipped
// (lesson 6's in-stock filter over a null inventory) and pass on the same shop with the inventory
// as it was before that change. Both run at once, in one Vitest, in a second or two.
import { expect, test } from 'vitest';
import { firstFailure, runTestFile, TEST_FILE_TIMEOUT_MS } from './sandbox-tests.ts';

const FILE = 'tests/in-stock.test.ts';
const INVENTORY = 'backend/src/inventory.ts';

const runs = runTestFile(FILE, { asShipped: {}, withTheFix: { original: [INVENTORY] } });

test(`${FILE} reproduces the bug: it fails on the shipped code`, { timeout: TEST_FILE_TIMEOUT_MS }, async () => {
  const run = (await runs).asShipped;
  expect(
    run.exists,
    `Write ${FILE}: a test that asks for in-stock products (GET /products?in_stock_only=true, or listProducts({ inStockOnly: true })) and expects them.`,
  ).toBe(true);
  expect(run.loadError, `${FILE} did not run: ${run.loadError}`).toBeUndefined();
  expect(
    run.tests.some((t) => t.status === 'passed' || t.status === 'failed'),
    `${FILE} has no test that runs yet, only a to-do or a skipped test. Replace test.todo(…) (or test.skip) with a test that asks for in-stock products.`,
  ).toBe(true);
  expect(
    run.tests.some((t) => t.status === 'failed'),
    `${FILE} passes on the buggy code, so it does not reproduce the bug. Does it ask for in-stock products only, and expect them?`,
  ).toBe(true);
});

test('it fails because of the bug: with the inventory fixed, it passes', { timeout: TEST_FILE_TIMEOUT_MS }, async () => {
  const { asShipped: shipped, withTheFix: fixed } = await runs;
  expect(
    shipped.tests.some((t) => t.status === 'failed'),
    'First make the test fail on the shipped code (see above).',
  ).toBe(true);
  const failure = firstFailure(fixed);
  expect(
    failure,
    [
      `Run against ${INVENTORY} as it was before the change (no null inventory), ${FILE} still fails, so it fails for another reason as well:`,
      failure,
      'Look for a mistake in the test itself (an import, a URL, an expectation). A test must also start its own backend (startBackend() from ' +
        'tests/http.ts), not call the shop running on port 3001.',
    ].join('\n'),
  ).toBeUndefined();
});
