/**
 * A Check on a busy machine never fails a right answer: with a CPU hog on every core, lesson 7's
 * solution (its checks start a backend of their own and run the learner's test file, what ran out
 * of time before) still passes, retried once when a check runs out of time. Its own project, run
 * by `npm test` after the lanes: a hog beside them would starve the browser lane's tests instead
 * (it boots beside the last of them, and waits for it to end before the hog starts).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { lessonSandbox, type LessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { runChecks } from '../../src/lessons/run-checks.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { LessonFiles, startLocalBridge, type LocalBridge } from '../support/lesson-sandbox.ts';
import { startCpuHog } from '../support/cpu-hog.ts';

const LESSON = '07-follow-the-full-trace';

let bridge: LocalBridge;
let runtime: Runtime;
let lesson: LessonSandbox;
beforeAll(async () => {
  bridge = await startLocalBridge();
  lesson = await lessonSandbox(LESSON);
  ({ runtime } = await bridge.boot(lesson.start));
  await new LessonFiles(runtime, lesson.start).become({ ...lesson.start, ...lesson.solution });
}, 300_000);
afterAll(async () => {
  await runtime?.teardown();
  await bridge?.close();
});

/** `npm test` boots this lane's sandbox beside its last other lane, and makes CTL_HOG_AFTER once that is done. */
async function otherLanesDone(): Promise<void> {
  const flag = process.env.CTL_HOG_AFTER;
  while (flag && !existsSync(flag)) await new Promise((resolve) => setTimeout(resolve, 100));
}

test(`with both cores busy (a CPU hog beside it), lesson ${LESSON}'s checks still pass on its solution`, { timeout: 1_200_000 }, async () => {
  await otherLanesDone();
  const hog = startCpuHog();
  let busy = false;
  try {
    const run = await runChecks(runtime, lesson.checks, { onBusy: () => (busy = true) });
    console.log(`solution with a CPU hog: ${run.durationMs} ms${busy ? ' (checked twice)' : ''}`);
    const results = run.results.map((r) => `${r.status}: ${r.name}${r.message ? ` — ${r.message}` : ''}`).join('\n');
    expect(run.passed, `the checks should pass on the solution on a busy machine:\n${results}\n${run.output.slice(-1500)}`).toBe(true);
  } finally {
    hog.stop();
  }
});
