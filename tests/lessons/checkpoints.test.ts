/**
 * CI's proof, for every lesson: its checkpoint tests fail on the lesson's starting code (when the
 * lesson asks for a change) and pass on its solution. Each lesson runs in a real sandbox on the
 * local runtime, with the real shop running, exactly as the workspace's "Check" runs it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { runChecks, type CheckRun } from '../../src/lessons/run-checks.ts';
import { lessonIds, startLocalBridge, writeSolution, type LocalBridge } from '../support/lesson-sandbox.ts';

let bridge: LocalBridge;
beforeAll(async () => {
  bridge = await startLocalBridge();
});
afterAll(() => bridge.close());

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
