/**
 * How long "Check" takes, lesson by lesson, passing and failing: each lesson's sandbox is booted on
 * the local runtime; its checkpoints run on the starting code and on the solution, `--reps` times
 * each, and once on each of its right and wrong variants (content/lessons/NN-slug/variants/).
 * Budgets (idle machine): a passing Check within 5 s and a failing one within 8 s, at the 95th
 * percentile. With --hog, a process spins on every core throughout (a busy machine): no budget, but
 * still no verdict other than the expected one.
 *   node bench/check-duration.ts [--reps 3] [--no-variants] [--lesson 04] [--hog]
 */
import { parseArgs } from 'node:util';
import { runChecks } from '../src/lessons/run-checks.ts';
import { lessonIds, lessonSandbox } from '../src/lessons/sandbox-files.ts';
import { LessonFiles, startLocalBridge } from '../tests/support/lesson-sandbox.ts';
import { applyVariant, lessonVariants } from '../tests/support/variants.ts';
import { startCpuHog } from '../tests/support/cpu-hog.ts';

const BUDGET_MS = { pass: 5_000, fail: 8_000 };
const { values } = parseArgs({
  options: {
    reps: { type: 'string', default: '3' },
    'no-variants': { type: 'boolean', default: false },
    lesson: { type: 'string' },
    hog: { type: 'boolean', default: false },
  },
});
const reps = Number(values.reps);

/** Nearest-rank percentile (with a handful of runs, p95 is the slowest). */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Row {
  lesson: string;
  pass: number[];
  fail: number[];
  /** Runs whose verdict was not the expected one (they would fail CI's proof). */
  wrongVerdicts: string[];
  /** Runs checked a second time because a check ran out of time. */
  retried: number;
}

const bridge = await startLocalBridge();
const rows: Row[] = [];
const hog = values.hog ? startCpuHog() : null;
try {
  for (const lesson of lessonIds().filter((id) => !values.lesson || id.startsWith(values.lesson))) {
    const sandbox = await lessonSandbox(lesson);
    const { runtime } = await bridge.boot(sandbox.start);
    const files = new LessonFiles(runtime, sandbox.start);
    const solved = { ...sandbox.start, ...sandbox.solution };
    const row: Row = { lesson, pass: [], fail: [], wrongVerdicts: [], retried: 0 };
    const measure = async (label: string, shouldPass: boolean) => {
      let retried = false;
      const run = await runChecks(runtime, sandbox.checks, { onBusy: () => (retried = true) });
      if (retried) row.retried++;
      (run.passed ? row.pass : row.fail).push(run.durationMs);
      if (run.passed !== shouldPass) row.wrongVerdicts.push(label);
      process.stderr.write(`${lesson} ${label}: ${run.passed ? 'passed' : 'failed'} in ${run.durationMs} ms\n`);
    };
    try {
      const changes = Object.keys(sandbox.solution).length > 0 || Boolean(sandbox.solutionSettings.sentryDsn);
      for (let i = 0; i < reps; i++) {
        if (changes) {
          await files.become(sandbox.start);
          await measure('start', false);
        }
        await files.become(solved, { settings: sandbox.solutionSettings });
        await measure('solution', true);
      }
      if (!values['no-variants']) {
        for (const variant of [...lessonVariants(lesson, 'right'), ...lessonVariants(lesson, 'wrong')]) {
          await applyVariant(variant, { runtime, files, start: sandbox.start, solution: sandbox.solution });
          await measure(`${variant.verdict}/${variant.name}`, variant.verdict === 'right');
        }
      }
    } finally {
      await runtime.teardown();
    }
    rows.push(row);
  }
} finally {
  hog?.stop();
  await bridge.close();
}

const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return sorted.length ? `${sorted.length} | ${percentile(sorted, 50)} | ${percentile(sorted, 95)}` : '0 | — | —';
};
const machine = values.hog ? 'every core busy (a CPU hog beside it)' : 'idle machine';
console.log(
  `\nCheck duration per lesson (ms; ${machine}; local runtime, shop running; ${reps} × start and solution${values['no-variants'] ? '' : ', and each variant once'})\n`,
);
console.log('| lesson | passing runs | p50 | p95 | failing runs | p50 | p95 | checked twice | false verdicts |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.lesson} | ${summary(row.pass)} | ${summary(row.fail)} | ${row.retried} | ${row.wrongVerdicts.length} |`);
const all = (kind: 'pass' | 'fail') => rows.flatMap((row) => row[kind]);
console.log(
  `| all lessons | ${summary(all('pass'))} | ${summary(all('fail'))} | ${rows.reduce((n, r) => n + r.retried, 0)} | ${rows.reduce((n, r) => n + r.wrongVerdicts.length, 0)} |`,
);
let over = false;
for (const row of rows) {
  for (const [kind, ms] of [
    ['pass', row.pass],
    ['fail', row.fail],
  ] as const) {
    const p95 = ms.length
      ? percentile(
          [...ms].sort((a, b) => a - b),
          95,
        )
      : 0;
    if (!values.hog && p95 > BUDGET_MS[kind]) {
      over = true;
      console.log(`over budget: ${row.lesson} ${kind === 'pass' ? 'passing' : 'failing'} p95 ${p95} ms > ${BUDGET_MS[kind]} ms`);
    }
  }
  if (row.wrongVerdicts.length) console.log(`unexpected verdicts in ${row.lesson}: ${row.wrongVerdicts.join(', ')}`);
}
console.log(`\nbudgets (p95): passing ${BUDGET_MS.pass} ms, failing ${BUDGET_MS.fail} ms`);
if (over || rows.some((row) => row.wrongVerdicts.length)) process.exitCode = 1;
