/**
 * What one "Check" costs in CPU, with the local runtime's V8 tiers (src/runtime/local/v8-tiers.mjs:
 * JavaScript optimised up to Maglev) and with V8's default (up to TurboFan). Boots a lesson's sandbox
 * with its solution, then runs its Check `--runs` times under each (half, then the other half); prints the mean
 * CPU seconds of the check server while it runs (its Vitest, its workers and what they start, read
 * from /proc) and the mean wall time. Linux only. Exits 1 when the capped
 * tiers cost more CPU than the default.
 *   node bench/check-cpu.ts [--lesson 04] [--runs 6]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runChecks } from '../src/lessons/run-checks.ts';
import { lessonIds, lessonSandbox } from '../src/lessons/sandbox-files.ts';
import { startLocalBridge } from '../tests/support/lesson-sandbox.ts';

const TICKS_PER_SECOND = 100;
const { values } = parseArgs({ options: { lesson: { type: 'string', default: '04' }, runs: { type: 'string', default: '6' } } });
const lesson = lessonIds().find((id) => id.startsWith(values.lesson))!;
const perRound = Math.ceil(Number(values.runs) / 2);

/**
 * CPU seconds of the check servers, their own and what they collected from their ended children
 * (each Check's workers): a learner's test file runs in the check server's own Vitest.
 */
function checkServersCpu(): number {
  let seconds = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('check-server')) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds += fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / TICKS_PER_SECOND;
    } catch {
      // Gone between readdir and read.
    }
  }
  return seconds;
}

// A later preload undoes the runtime's cap (TurboFan too: lowering the cap turned it off), for comparison.
const DEFAULT_TIERS = `--import data:text/javascript,import{setFlagsFromString}from'node:v8';setFlagsFromString('--max-opt=999');setFlagsFromString('--turbofan')`;
const setups = { 'the local runtime (up to Maglev)': [], "V8's default (up to TurboFan)": [DEFAULT_TIERS] };
const sandbox = await lessonSandbox(lesson);
const results = new Map<string, { cpu: number[]; wall: number[] }>();
// The shop's ports are fixed, so one sandbox at a time: each setup in turn, twice, so a machine that
// speeds up or slows down meanwhile weighs on both alike.
for (let round = 0; round < 2; round++) {
  for (const [name, nodeOptions] of Object.entries(setups)) {
    const bridge = await startLocalBridge({ nodeOptions });
    const { runtime } = await bridge.boot({ ...sandbox.start, ...sandbox.solution });
    try {
      await runChecks(runtime, sandbox.checks); // the check server's first run
      for (let i = 0; i < perRound; i++) {
        const before = checkServersCpu();
        const run = await runChecks(runtime, sandbox.checks);
        if (!run.passed) throw new Error(`${lesson}'s solution failed its Check (${name})`);
        // The worker is reaped just after the run's answer.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const entry = results.get(name) ?? { cpu: [], wall: [] };
        entry.cpu.push(checkServersCpu() - before);
        entry.wall.push(run.durationMs);
        results.set(name, entry);
      }
    } finally {
      await runtime.teardown();
      await bridge.close();
    }
  }
}
const mean = (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0) / numbers.length;
console.log(`\nOne Check of ${lesson} (its solution), ${2 * perRound} runs each\n\n| V8 tiers | CPU s | wall ms |\n|---|---|---|`);
for (const [name, { cpu, wall }] of results) console.log(`| ${name} | ${mean(cpu).toFixed(2)} | ${mean(wall).toFixed(0)} |`);
const [capped, standard] = [...results.values()].map(({ cpu }) => mean(cpu));
if (capped! > standard!) {
  console.log('\n✖ the capped tiers cost more CPU than the default: reconsider --max-opt in src/runtime/local/v8-tiers.mjs');
  process.exitCode = 1;
}
