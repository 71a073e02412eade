/**
 * The capability probe the workspace runs at boot (the shop's scripts/probe.mjs), on the local
 * runtime under a WebContainer's constraints: 5 runs, each a fresh `node` in a sandbox, from the
 * spawn to its report. Budget: a second (it runs beside the shop's start; a slow one delays
 * nothing but what it reports). Exits 1 when the median is over.
 *   node bench/probe.ts
 */
import { lessonIds, lessonSandbox } from '../src/lessons/sandbox-files.ts';
import { SHOP_SCRIPTS } from '../src/sandbox/shop.ts';
import { probeSandbox } from '../src/session/boot.ts';
import { startLocalBridge } from '../tests/support/lesson-sandbox.ts';

const BUDGET_MS = 1_000;
const RUNS = 5;

const bridge = await startLocalBridge();
const runtime = await bridge.connect();
await runtime.mount({ 'package.json': '{}', scripts: { 'probe.mjs': (await lessonSandbox(lessonIds()[0]!)).start[SHOP_SCRIPTS.probe]! } });
const times: number[] = [];
let missing: string[] = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const report = await probeSandbox(runtime);
  times.push(performance.now() - started);
  if (!report) throw new Error('the probe printed no report');
  missing = Object.entries(report.capabilities)
    .filter(([, capability]) => !capability.ok)
    .map(([name, capability]) => `${name} (${capability.detail})`);
}
await runtime.teardown();
await bridge.close();

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(RUNS / 2)]!;
console.log(`capability probe, ${RUNS} runs: median ${median.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (budget ${BUDGET_MS} ms)`);
console.log(`reports missing on this runtime: ${missing.join(', ') || 'nothing'}`);
if (median > BUDGET_MS) {
  console.error('✖ over budget');
  process.exit(1);
}
