/**
 * How long "Check" takes, lesson by lesson: each lesson's sandbox is booted on the local runtime,
 * its checkpoints run on the starting code (a failing run: the learner's usual first press) and
 * again on the solution (the passing run). Budget: a passing check answers within 10 s.
 *   node bench/check-duration.ts
 */
import { lessonSandbox } from '../src/lessons/sandbox-files.ts';
import { runChecks } from '../src/lessons/run-checks.ts';
import { lessonIds, startLocalBridge, writeSolution } from '../tests/support/lesson-sandbox.ts';

const BUDGET_MS = 10_000;
const bridge = await startLocalBridge();
const rows: { lesson: string; checks: number; start: string; solution: number }[] = [];
let overBudget = false;
try {
  for (const lesson of lessonIds()) {
    const sandbox = await lessonSandbox(lesson);
    const runtime = await bridge.boot(sandbox.start);
    try {
      const changes = Object.keys(sandbox.solution).length > 0;
      let start = '—';
      if (changes) {
        start = `${(await runChecks(runtime, sandbox.checks)).durationMs}`;
        await writeSolution(runtime, sandbox.solution);
      }
      const solved = await runChecks(runtime, sandbox.checks);
      if (!solved.passed) throw new Error(`${lesson}: the checks do not pass on the solution`);
      overBudget ||= solved.durationMs > BUDGET_MS;
      rows.push({ lesson, checks: solved.results.length, start, solution: solved.durationMs });
    } finally {
      await runtime.teardown();
    }
  }
} finally {
  await bridge.close();
}

console.log('\nCheck duration per lesson (ms; local runtime, shop running)\n');
console.log('| lesson | checks | failing run on the start | passing run on the solution |');
console.log('|---|---|---|---|');
for (const row of rows) console.log(`| ${row.lesson} | ${row.checks} | ${row.start} | ${row.solution} |`);
const sorted = rows.map((row) => row.solution).sort((a, b) => a - b);
console.log(`\npassing runs: median ${sorted[Math.floor(sorted.length / 2)]} ms, slowest ${sorted.at(-1)} ms (budget ${BUDGET_MS} ms)`);
if (overBudget) process.exitCode = 1;
