/**
 * What the learner reads when checks fail, from a real Vitest report: the sandbox's own Vitest
 * runs check files with the checks' own config, and readCheckReport turns its JSON into results.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readCheckReport, type CheckResult } from '../../src/lessons/run-checks.ts';
import { storefrontDir } from '../../src/lessons/sandbox-files.ts';

const CHECKS: Record<string, string> = {
  'set-up-fails.test.ts': `import { beforeAll, expect, test } from 'vitest';
beforeAll(() => { throw new Error('The shop page showed no products.\\nOpen the Preview: what does it show?'); });
test('first blocked check', () => expect(1).toBe(1));
test('second blocked check', () => expect(1).toBe(1));`,
  'set-up-times-out.test.ts': `import { beforeAll, expect, test } from 'vitest';
beforeAll(() => new Promise((resolve) => setTimeout(resolve, 2000)), 100);
test('check behind a slow set-up', () => expect(1).toBe(1));`,
  'times-out.test.ts': `import { expect, test } from 'vitest';
test('a check that waits too long', async () => { await new Promise((resolve) => setTimeout(resolve, 2000)); expect(1).toBe(1); }, 100);`,
  'explained.test.ts': `import { expect, test } from 'vitest';
test('a check with a two-line reason', () => { expect(undefined, 'No span arrived.\\nIs Sentry.init in backend/src/instrument.ts?').toBeDefined(); });
test('a check that throws its reason', () => { throw new Error('Sentry is not initialised in the page.'); });
test('a check that passes', () => expect(2).toBe(2));
test("a check quoting the learner's own failing test", () => {
  const failure = 'AssertionError: expected 500 to be 200 // Object.is equality';
  expect(failure, ['tests/in-stock.test.ts fails for another reason as well:', failure, 'Look for a mistake in the test itself.'].join('\\n')).toBeUndefined();
});`,
  'does-not-load.test.ts': `import { test } from 'vitest';\ntest('never collected', () => {}`,
};

let results: CheckResult[];
let folder: string;

beforeAll(() => {
  // Inside the sandbox folder, so the checks' config finds the sandbox's packages as it does in a sandbox.
  mkdirSync(join(storefrontDir, 'test-results'), { recursive: true });
  folder = mkdtempSync(join(storefrontDir, 'test-results', 'check-report-'));
  mkdirSync(join(folder, 'course-checks'));
  copyFileSync(new URL('../../content/checks-support/vitest.config.mjs', import.meta.url), join(folder, 'course-checks', 'vitest.config.mjs'));
  for (const [name, text] of Object.entries(CHECKS)) writeFileSync(join(folder, 'course-checks', name), text);
  spawnSync(
    process.execPath,
    [
      join(storefrontDir, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'course-checks/vitest.config.mjs',
      '--reporter=json',
      '--outputFile=report.json',
    ],
    { cwd: folder, stdio: 'ignore' },
  );
  results = readCheckReport(JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')));
}, 60_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const result = (name: string) => results.find((r) => r.name === name);

test('a set-up step that fails fails every check it blocks, with its whole message', () => {
  for (const name of ['first blocked check', 'second blocked check']) {
    expect(result(name)).toMatchObject({ status: 'failed', message: 'The shop page showed no products.\nOpen the Preview: what does it show?' });
  }
});

test('a set-up step that times out says, in words, that the computer was busy, and is marked for a second run', () => {
  expect(result('check behind a slow set-up')).toMatchObject({
    status: 'failed',
    message: expect.stringMatching(/ran out of time .* the computer is busy/),
    detail: expect.stringMatching(/^Hook timed out in 100ms/),
    outOfTime: true,
  });
});

test('a check that times out says, in words, that the computer was busy, and is marked for a second run', () => {
  expect(result('a check that waits too long')).toMatchObject({
    status: 'failed',
    message: expect.stringMatching(/ran out of time .* the computer is busy/),
    outOfTime: true,
  });
});

test("a learner's own failing test, quoted in a check's message, is shown whole: its assertion and the guidance after it", () => {
  expect(result("a check quoting the learner's own failing test")).toMatchObject({
    status: 'failed',
    message: expect.stringMatching(/fails for another reason as well:\nAssertionError: expected 500 to be 200 \/\/ Object\.is equality\nLook for a mistake/),
    detail: expect.stringMatching(/^expected 'AssertionError: .* to be undefined$/),
  });
});

test('an assertion keeps every line of its message, and its comparison apart', () => {
  expect(result('a check with a two-line reason')).toMatchObject({
    status: 'failed',
    message: 'No span arrived.\nIs Sentry.init in backend/src/instrument.ts?',
    detail: 'expected undefined to be defined',
  });
  expect(result('a check that throws its reason')).toMatchObject({ status: 'failed', message: 'Sentry is not initialised in the page.' });
});

test('a passing check says how long it took', () => {
  expect(result('a check that passes')).toMatchObject({ status: 'passed', durationMs: expect.any(Number) });
});

test('a check file that does not load is a failed check with the reason', () => {
  const load = results.find((r) => r.name === 'Load the checks');
  expect(load?.status).toBe('failed');
  expect(load?.message).toMatch(/does-not-load|Expected|Unexpected|Transform failed|parse/i);
});
