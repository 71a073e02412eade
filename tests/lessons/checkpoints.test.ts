/**
 * CI's proof that every lesson's checks judge answers as a teacher would, each lesson in a real
 * sandbox on the local runtime with the real shop running, checked exactly as "Check" checks it:
 *   - they fail on the lesson's starting code (when the lesson asks for a change) and pass on its
 *     solution;
 *   - they accept every right answer in the lesson's variants/right/ and reject every wrong one in
 *     variants/wrong/, with the check named in its variant.json failing, and every failing check
 *     saying why (see tests/support/variants.ts).
 * One sandbox runs the whole proof, moving from lesson to lesson as the workspace does (each
 * lesson's start written over the last one's files), booted once from the packages snapshot the
 * browser mounts, under a WebContainer's constraints as the local runtime always applies them (no
 * file modes, no native addons, napi-rs forced to WebAssembly, neither ESM loader-hook API). Answers are applied one after another, as a learner's saves would be.
 * PROOF_LESSONS=06- (or 01-05, or 05) proves only those lessons: `npm test` splits the proof in two lanes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessonIds, lessonSandbox, type LessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { runChecks, type CheckRun } from '../../src/lessons/run-checks.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { LessonFiles, startLocalBridge, type LocalBridge } from '../support/lesson-sandbox.ts';
import { applyVariant, lessonVariants, type Variant } from '../support/variants.ts';
import { readAll } from '../../src/runtime/process-output.ts';

/** A Check takes seconds; on a machine running both lanes and more, lesson 8's took over a minute (it may run twice when busy). */
const CHECK_TEST_TIMEOUT_MS = 180_000;

/** The lessons PROOF_LESSONS names, by number: "05", "01-05", "06-" (from 6 on); all of them when it is unset. */
function provenLessons(): string[] {
  const range = process.env.PROOF_LESSONS?.trim();
  if (!range) return lessonIds();
  const match = /^(\d+)?(-)?(\d+)?$/.exec(range);
  if (!match || (!match[1] && !match[3])) throw new Error(`PROOF_LESSONS="${range}": give a lesson number (05) or a range (01-05, 06-)`);
  const from = Number(match[1] ?? 0);
  const until = match[2] ? Number(match[3] ?? Number.POSITIVE_INFINITY) : from;
  const chosen = lessonIds().filter((id) => Number(id.slice(0, 2)) >= from && Number(id.slice(0, 2)) <= until);
  if (!chosen.length) throw new Error(`PROOF_LESSONS="${range}" names no lesson`);
  return chosen;
}
const lessons = provenLessons();

let bridge: LocalBridge;
let runtime: Runtime;
let files: LessonFiles;
beforeAll(async () => {
  bridge = await startLocalBridge();
  const first = await lessonSandbox(lessons[0]!);
  ({ runtime } = await bridge.boot(first.start));
  files = new LessonFiles(runtime, first.start);
}, 300_000);
afterAll(async () => {
  await runtime?.teardown();
  await bridge?.close();
});

test('the proof runs where a WebContainer would: no ESM loader hooks, no native addons, napi-rs on WebAssembly', async () => {
  const probe = await runtime.spawn('node', [
    '--input-type=module',
    '-e',
    'import * as m from "node:module"; console.log(JSON.stringify({ register: typeof m.register, registerHooks: typeof m.registerHooks, ' +
      'options: process.env.NODE_OPTIONS, napi: process.env.NAPI_RS_FORCE_WASI }))',
  ]);
  const text = await readAll(probe);
  const seen = JSON.parse(text.trim()) as { register: string; registerHooks: string; options: string; napi: string };
  expect(seen.register).toBe('undefined');
  expect(seen.registerHooks).toBe('undefined');
  expect(seen.options).toContain('--no-addons');
  expect(seen.napi).toBe('error');
});

const describeResults = (run: CheckRun) =>
  run.results.map((r) => `${r.status}: ${r.name}${r.message ? ` — ${r.message}` : ''}${r.detail ? ` (${r.detail})` : ''}`).join('\n');

/** A failing run the learner can act on: something failed, and nothing failed or was skipped without a reason. */
function expectExplainedFailure(run: CheckRun, what: string) {
  expect(run.passed, `the checks should fail on ${what}:\n${describeResults(run)}`).toBe(false);
  const unexplained = run.results.filter((r) => r.status !== 'passed' && !r.message?.trim());
  expect(
    unexplained.map((r) => `${r.status}: ${r.name}`),
    `every check that does not pass says why, on ${what}`,
  ).toEqual([]);
}

describe.each(lessons)('lesson %s', (lessonId) => {
  let sandbox: LessonSandbox;
  const durations: string[] = [];

  beforeAll(async () => {
    sandbox = await lessonSandbox(lessonId);
    // The next lesson, as the workspace moves to it: its start written over the last lesson's files.
    await files.become(sandbox.start);
  }, 120_000);
  afterAll(() => console.log(`${lessonId}: ${durations.join(', ')}`));

  const check = async (label: string) => {
    const run = await runChecks(runtime, sandbox.checks);
    durations.push(`${label} ${run.durationMs} ms`);
    return run;
  };

  test('it has checkpoint tests', async () => {
    expect(Object.keys(sandbox.checks).some((path) => path.endsWith('.test.ts'))).toBe(true);
  });

  test('its checks fail on the starting code, saying why', { timeout: CHECK_TEST_TIMEOUT_MS }, async ({ skip }) => {
    if (Object.keys(sandbox.solution).length === 0 && !sandbox.solutionSettings.sentryDsn) skip('the lesson asks for no change');
    await files.become(sandbox.start);
    expectExplainedFailure(await check('start'), `lesson ${lessonId}'s starting code`);
  });

  test('pressed right after the solution is saved, its checks wait for the backend to restart', { timeout: CHECK_TEST_TIMEOUT_MS }, async ({ skip }) => {
    if (!Object.keys(sandbox.solution).some((path) => path.startsWith('backend/src/'))) skip('the solution changes no backend code');
    await files.become({ ...sandbox.start, ...sandbox.solution }, { waitForShop: false });
    const run = await check('solution, checked at once');
    expect(run.passed, `the checks should judge the code just saved, not the backend it replaces:\n${describeResults(run)}`).toBe(true);
  });

  test('its checks pass on the solution', { timeout: CHECK_TEST_TIMEOUT_MS }, async () => {
    await files.become({ ...sandbox.start, ...sandbox.solution }, { settings: sandbox.solutionSettings });
    const run = await check('solution');
    expect(run.passed, `the checks should pass on lesson ${lessonId}'s solution:\n${describeResults(run)}\n${run.output.slice(-1500)}`).toBe(true);
  });

  const answer = async (variant: Variant) => {
    await applyVariant(variant, { runtime, files, start: sandbox.start, solution: sandbox.solution });
    return check(`${variant.verdict}/${variant.name}`);
  };

  for (const variant of lessonVariants(lessonId, 'right')) {
    test(`accepts a right answer: ${variant.name}`, { timeout: CHECK_TEST_TIMEOUT_MS }, async () => {
      const run = await answer(variant);
      expect(run.passed, `a right answer (${variant.note}) should pass:\n${describeResults(run)}\n${run.output.slice(-1500)}`).toBe(true);
    });
  }

  for (const variant of lessonVariants(lessonId, 'wrong')) {
    test(`rejects a wrong answer, saying why: ${variant.name}`, { timeout: CHECK_TEST_TIMEOUT_MS }, async () => {
      const run = await answer(variant);
      expectExplainedFailure(run, `a wrong answer (${variant.note})`);
      for (const words of variant.failing) {
        const catching = run.results.filter((r) => r.name.includes(words));
        expect(catching.length, `no check is named with "${words}":\n${describeResults(run)}`).toBeGreaterThan(0);
        expect(
          catching.every((r) => r.status === 'failed'),
          `the check "${words}" should catch it (${variant.note}):\n${describeResults(run)}`,
        ).toBe(true);
      }
    });
  }
});
