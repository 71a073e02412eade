import { expect, test } from 'vitest';
import { runTestFile } from './sandbox-tests.ts';

const FILE = 'tests/in-stock.test.ts';
// What the bug looks like from a test: the TypeError itself, or the 500 it turns into.
const THE_BUG = /null|includes|TypeError|\b500\b/;
const A_TEST_MISTAKE = /ReferenceError|SyntaxError|Cannot find module|Failed to load|is not a function|is not defined/;

test(`${FILE} reproduces the bug: it fails on the shipped code`, async () => {
  const run = await runTestFile(FILE);
  expect(run.exists, `Write ${FILE}: a test that asks for in-stock products (GET /products?in_stock_only=true, or listProducts({ inStockOnly: true })) and expects them.`).toBe(true);
  expect(run.loadError, `${FILE} did not run: ${run.loadError}`).toBeUndefined();
  expect(run.tests.some((t) => t.status === 'passed' || t.status === 'failed'), `${FILE} has no test yet, only a to-do. Replace test.todo(…) with a test that asks for in-stock products.`).toBe(true);
  expect(run.tests.some((t) => t.status === 'failed'), `${FILE} passes on the buggy code, so it does not reproduce the bug. Does it ask for in-stock products only?`).toBe(true);
});

test('it fails for the right reason: the null inventory, not a mistake in the test', async () => {
  const run = await runTestFile(FILE);
  const failures = run.tests.flatMap((t) => t.failures).join('\n');
  expect(failures, 'First make the test fail (see above).').not.toBe('');
  expect(failures, `The test fails because of a mistake in the test itself:\n${failures.split('\n')[0]}`).not.toMatch(A_TEST_MISTAKE);
  expect(failures, `The failure does not point at the bug (the TypeError, or the 500 it causes):\n${failures.split('\n')[0]}`).toMatch(THE_BUG);
});
