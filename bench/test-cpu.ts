/**
 * Where `npm test`'s CPU goes: runs it (or one lane: `node bench/test-cpu.ts proof1`) and samples
 * every process in /proc twice a second, so what no step reaps itself (Chromium, the course
 * server's sandboxes, esbuild's WebAssembly services) counts too. Prints CPU seconds per lane
 * (each lane runs in a network namespace of its own) and per consumer, then the largest pairs.
 * Linux only. The lanes share two cores, so the suite's wall time is about the lanes' CPU over two.
 *   node bench/test-cpu.ts [unit|proof1|proof2|browser1|browser2|busy]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { SANDBOX_MARKER } from '../src/runtime/local/sandbox-processes.ts';

const TICKS_PER_SECOND = 100;
const root = new URL('../', import.meta.url).pathname;

const VITEST = 'Vitest (the test runners)';
/**
 * A Check's worker lives about 2 s, so up to a quarter of what it spends falls after the last
 * sample and is not counted: this line is a floor.
 */
const VITEST_IN_SANDBOX = "Vitest in the sandbox (each Check's worker, the learner's tests)";

/** What a process is, from its command line: the names the breakdown is in. */
function consumerOf(command: string): string {
  const rules: [RegExp, string][] = [
    [/--type=renderer/, 'Chromium renderer (pages, workers)'],
    [/chrom(e|ium)/, 'Chromium (browser, GPU, network)'],
    [/esbuild/, "esbuild (WebAssembly, the shop's)"],
    [/check-server\.mjs/, 'Check: warm Vitest in the sandbox'],
    [/vitest/, VITEST],
    [/frontend\.mjs|vite/, "Vite (the shop's frontend)"],
    [/run-ts\.mjs|backend/, "the shop's backend"],
    [/collector/, "the shop's collector"],
    [/src\/server\/main\.ts|guardian\.ts/, 'course server'],
    [/typescript|tsc/, 'tsc'],
    [/astro/, 'Astro build'],
    [/biome/, 'Biome'],
    [/npm-cli\.js|(^|\/)npm /, 'npm (installs)'],
  ];
  return rules.find(([pattern]) => pattern.test(command))?.[1] ?? 'other';
}

interface Seen {
  ticks: number;
  lane: string;
  consumer: string;
  command: string;
}

const lanes = new Map<string, string>(); // network namespace → lane
const seen = new Map<string, Seen>(); // pid and start time → last reading
const byLane = new Map<string, number>();
const byConsumer = new Map<string, number>();
const byPair = new Map<string, number>();
/** What "other" is made of, by command (folders shortened). */
const byOtherCommand = new Map<string, number>();
const shortCommand = (command: string) =>
  command
    .replace(/\S*\/(node_modules\/)?/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 70);
const add = (map: Map<string, number>, key: string, seconds: number) => map.set(key, (map.get(key) ?? 0) + seconds);

function sample(): void {
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = `${pid}@${fields[19]}`;
      const ticks = Number(fields[11]) + Number(fields[12]);
      let entry = seen.get(key);
      if (!entry) {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const namespace = readlinkSync(`/proc/${pid}/ns/net`);
        // Seen as `node …/tests/run-lane.ts proof1`, or as the `sh -c … sh node …/run-lane.ts proof1` before it.
        const lane = /tests\/run-lane\.ts"? (\w+)/.exec(command)?.[1];
        if (lane) lanes.set(namespace, lane);
        // Started before the sampling did: only what it spends from now on counts.
        let consumer = consumerOf(command);
        // Vitest inside a sandbox (its processes carry the sandbox marker): a Check's worker, or the learner's tests.
        if (consumer === VITEST && `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`.includes(`\0${SANDBOX_MARKER}=`)) consumer = VITEST_IN_SANDBOX;
        entry = { ticks: started ? 0 : ticks, lane: namespace, consumer, command: shortCommand(command) };
        seen.set(key, entry);
      }
      const seconds = (ticks - entry.ticks) / TICKS_PER_SECOND;
      entry.ticks = ticks;
      if (seconds <= 0) continue;
      const lane = lanes.get(entry.lane) ?? (entry.lane === ownNamespace ? 'outside the lanes (prep)' : 'other');
      add(byLane, lane, seconds);
      add(byConsumer, entry.consumer, seconds);
      add(byPair, `${lane} · ${entry.consumer}`, seconds);
      if (entry.consumer === 'other') add(byOtherCommand, entry.command, seconds);
    } catch {
      // Gone between readdir and read.
    }
  }
}

function table(title: string, map: Map<string, number>, limit = Infinity): void {
  console.log(`\n| ${title} | CPU s |\n|---|---|`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, limit);
  for (const [name, seconds] of rows) if (seconds >= 0.5) console.log(`| ${name} | ${seconds.toFixed(0)} |`);
}

/**
 * The machine's speed, to compare runs made at different hours: this machine's speed varies by
 * the hour (nearly the same code took from 10.3 to 11.9 minutes within a day), and the suite's CPU
 * and wall time with it.
 * The median of three runs of a fixed single-threaded workload (hashing, arithmetic, objects), in ms.
 */
function yardstick(): number {
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    let digest = Buffer.alloc(64);
    for (let i = 0; i < 100_000; i++) digest = createHash('sha256').update(digest).digest();
    let sum = 0;
    for (let i = 0; i < 1e8; i++) sum = (sum + i * 7) % 1_000_003;
    const objects: Record<string, { i: number; text: string }> = {};
    for (let i = 0; i < 700_000; i++) objects[`k${i % 50_000}`] = { i, text: String(i + sum) };
    return performance.now() - started;
  });
  return Math.round(times.sort((a, b) => a - b)[1]!);
}
const speedBefore = yardstick();

const ownNamespace = readlinkSync('/proc/self/ns/net');
let started = false;
sample();
started = true;
const lane = process.argv[2];
const wallStart = Date.now();
const child = spawn(process.execPath, lane ? [`${root}tests/run-lane.ts`, lane] : [`${root}tests/run-all.ts`], { cwd: root, stdio: 'inherit' });
const timer = setInterval(sample, 500);
const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
clearInterval(timer);
sample();
const total = [...byLane.values()].reduce((sum, seconds) => sum + seconds, 0);
console.log(`\n${lane ? `lane ${lane}` : 'npm test'}: ${((Date.now() - wallStart) / 1000).toFixed(0)} s wall, ${total.toFixed(0)} CPU s (exit ${code})`);
console.log(`machine speed: a fixed workload took ${speedBefore} ms before the run and ${yardstick()} ms after (compare runs by it)`);
table('lane', byLane);
table('consumer', byConsumer);
table('lane · consumer (largest 20)', byPair, 20);
table('"other", by command (largest 12)', byOtherCommand, 12);
process.exitCode = code;
