/**
 * CI's proof, for every lesson: its checkpoint tests fail on the lesson's starting code (when the
 * lesson asks for a change) and pass on its solution. Each lesson runs in a real sandbox on the
 * local runtime, with the real shop running, exactly as the workspace's "Check" runs it — booted
 * from the packages snapshot the browser mounts, under a WebContainer's constraints (no native
 * addons, napi-rs forced to WebAssembly), and without ESM loader hooks (`module.register`), which
 * a WebContainer's Node may lack: lessons 2-4's backend tracing must work without them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { runChecks, type CheckRun } from '../../src/lessons/run-checks.ts';
import { lessonIds, startLocalBridge, WITHOUT_MODULE_REGISTER, writeSolution, type LocalBridge } from '../support/lesson-sandbox.ts';

let bridge: LocalBridge;
beforeAll(async () => {
  bridge = await startLocalBridge({ nodeOptions: [WITHOUT_MODULE_REGISTER] });
}, 300_000);
afterAll(() => bridge.close());

test('the proof runs where a WebContainer would: no ESM loader hooks, no native addons, napi-rs on WebAssembly', async () => {
  const runtime = await bridge.connect();
  const probe = await runtime.spawn('node', ['-e', 'console.log(JSON.stringify({ register: typeof require("node:module").register, options: process.env.NODE_OPTIONS, napi: process.env.NAPI_RS_FORCE_WASI }))']);
  let text = '';
  for (const reader = probe.output.getReader(); ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  await runtime.teardown();
  const seen = JSON.parse(text.trim()) as { register: string; options: string; napi: string };
  expect(seen.register).toBe('undefined');
  expect(seen.options).toContain('--no-addons');
  expect(seen.napi).toBe('error');
});

const describeResults = (run: CheckRun) => run.results.map((r) => `${r.status}: ${r.name}${r.message ? ` — ${r.message}` : ''}`).join('\n');

describe.each(lessonIds())('lesson %s', (lessonId) => {
  test('its checkpoints fail on the starting code and pass on the solution', { timeout: 240_000 }, async () => {
    const sandbox = await lessonSandbox(lessonId);
    expect(Object.keys(sandbox.checks).some((path) => path.endsWith('.test.ts')), 'every lesson has checkpoint tests').toBe(true);
    const runtime = await bridge.boot(sandbox.start);
    try {
      const atStart = await runChecks(runtime, sandbox.checks);
      const changes = Object.keys(sandbox.solution).length > 0;
      if (changes) {
        expect(atStart.passed, `the checks should fail on lesson ${lessonId}'s starting code:\n${describeResults(atStart)}`).toBe(false);
        expect(atStart.results.some((r) => r.status === 'failed' && r.message)).toBe(true);
        await writeSolution(runtime, sandbox.solution);
      }
      const solved = changes ? await runChecks(runtime, sandbox.checks) : atStart;
      expect(solved.passed, `the checks should pass on lesson ${lessonId}'s solution:\n${describeResults(solved)}\n${solved.output.slice(-1500)}`).toBe(true);
      console.log(`${lessonId}: checks ${changes ? `${atStart.durationMs} ms (start), ` : ''}${solved.durationMs} ms (solution)`);
    } finally {
      await runtime.teardown();
    }
  });
});
