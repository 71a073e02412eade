/**
 * `npm test`: every test of the repo, in the order that fails fastest.
 *   1. what the tests run on: the packages snapshot the browser mounts, the editor's declarations,
 *      and the built site (each built once per input, kept in .cache/); beside them, the storefront sandbox's type checks
 *      (strict TypeScript), and the site's once it is built; lint and format (Biome) beside them
 *   2. five lanes side by side (tests/run-lane.ts), each in a network namespace of its own where the
 *      machine allows it (root and `unshare`; CI runs as root), one after the other where it does not;
 *      the proof's two lanes need only the snapshot, and start beside the site build.
 *      Side by side they keep both cores busy (a Check, a boot and a page each take CPU), so the
 *      lanes take about as long as their CPU time over two:
 *      - unit: unit and contract tests
 *      - proof1, proof2: the checkpoint proof, half of the lessons each; the guard on the shop's
 *        servers; the browser's path, and the shop's own tests on the browser's tree under a
 *        WebContainer's constraints, on Node 22 and the machine's Node 20 when it has one
 *      - browser1, browser2: real Chromium against the built site, half of the files each
 *   3. the busy lane, alone: a Check with a CPU hog on every core (beside the lanes it would starve
 *      them); it boots its sandbox beside the last lane, and starts the hog once that is done
 * It ends with where the time went (wall and CPU seconds per step), then one line, "N passed,
 * N failed", and exits non-zero when anything failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { findChromium } from './support/chromium.ts';
import { addResults, printFailedTests, printTimings, reports, root, sandbox, Steps, type Results } from './support/test-steps.ts';
import { laneReport, LANES, type Lane } from './run-lane.ts';
import { copyInstall, lockfileInstall } from '../src/snapshot/install.ts';
import { sandboxInstall } from '../src/snapshot/astro-integration.ts';

const started = Date.now();
const prep = new Steps();
const all = prep.results;

/** Whether each lane can have a loopback of its own (root, with util-linux's unshare and iproute2). */
function canIsolate(): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up'], { stdio: 'ignore' }).status === 0;
}

/**
 * A lane's namespace gets a TCP connection table of its own, sized for a test, not for the machine
 * (262,144 buckets on 24 GiB): the learner's guard reads /proc/net/tcp on every connection it
 * judges, and each read walks the whole table (3.4 ms on the machine's, 0.1 ms on this one). Set in
 * a namespace between the machine's and the lane's, so the machine's own setting is left alone;
 * where it cannot be set, the lane gets the machine's.
 */
const LANE_TCP_TABLE = 8192;
const ISOLATE_LANE = `
  if echo ${LANE_TCP_TABLE} 2>/dev/null > /proc/sys/net/ipv4/tcp_child_ehash_entries; then
    exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
  fi
  ip link set lo up && exec "$@"`;

/** Runs a lane as its own process in its own network namespace, its output lines labelled. */
function runIsolated(lane: Lane, env: Record<string, string> = {}): Promise<void> {
  const child = spawn('unshare', ['-n', 'sh', '-c', ISOLATE_LANE, 'sh', process.execPath, `${root}tests/run-lane.ts`, lane], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = `[${lane}]`.padEnd(10);
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) process.stdout.write(`${label}${line}\n`);
    });
  }
  return new Promise((resolve) => child.on('close', () => resolve()));
}

function runInline(lane: Lane): void {
  const steps = new Steps();
  LANES[lane](steps);
  addResults(all, steps.results);
}

function laneResults(lane: Lane): Results {
  const file = laneReport(lane);
  if (!existsSync(file) || statSync(file).mtimeMs < started)
    return { passed: 0, failed: 1, skipped: 0, failures: [`lane ${lane} (it did not finish)`], failedTests: [], timings: [] };
  return JSON.parse(readFileSync(file, 'utf8')) as Results;
}

// Fail early, and clearly, when the browser tests cannot run at all.
let chromiumProblem: string | null = null;
try {
  findChromium();
} catch (error) {
  chromiumProblem = (error as Error).message;
}

// The type checks use TypeScript 7, the compiler's native port (package `tsgo`): the same checks in a
// fifth of the CPU. The editor and the tests that mirror it keep TypeScript 5.9's JavaScript API,
// the one Monaco's worker runs.
const tsc = [`${root}node_modules/tsgo/bin/tsc`, '--noEmit'];

// The builds take one core: the storefront's install and type checks run beside them. The sandbox is
// an ordinary npm project with its own lockfile, installed here for its type check (the snapshot
// leaves type declarations out), once, again only when the lockfile changes: as the browser gets it,
// a copy of the install the two builders below read (one `npm ci` for all three).
const storefrontChecked = (async () => {
  const installed = `${sandbox}/node_modules/.package-lock.json`;
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${sandbox}/package-lock.json`).mtimeMs) {
    const copied = await prep.doBeside('install the storefront sandbox', async (log) => {
      const shared = await lockfileInstall(sandbox, sandboxInstall.installCacheDir, log);
      rmSync(`${sandbox}/node_modules`, { recursive: true, force: true });
      await copyInstall(shared, sandbox);
    });
    if (!copied) return prep.fail('sandbox install');
  }
  await prep.stepBeside('type check: storefront backend', process.execPath, [...tsc, '-p', `${sandbox}/backend`]);
  await prep.stepBeside('type check: storefront frontend', process.execPath, [...tsc, '-p', `${sandbox}/frontend`]);
  await prep.stepBeside('type check: storefront tests, scripts and tool configs', process.execPath, [...tsc, '-p', sandbox]);
})();

// Seconds of work each, beside the installs below (which wait on the disk and the registry as much as the CPU).
const linted = prep.stepBeside('lint and format (Biome, as `npm run lint`)', process.execPath, [
  `${root}node_modules/@biomejs/biome/bin/biome`,
  'check',
  '--error-on-warnings',
  '.',
]);

for (const lane of Object.keys(LANES) as Lane[]) rmSync(laneReport(lane), { force: true });
/** Made once every other lane is done: the busy lane's hog waits for it (tests/lessons/busy-machine.test.ts). */
const lanesDone = `${reports}/lanes-done`;
rmSync(lanesDone, { force: true });
let busyLane: Promise<void> | undefined;
const isolated = canIsolate();
// The site's build puts both sandbox assets in: made beside the rest, it finds them in .cache/.
const declarationsBuilt = prep.runBeside("build the editor's declarations", process.execPath, [`${root}src/declarations/cli.ts`]);
const snapshotBuilt = await prep.runBeside('build the packages snapshot', process.execPath, [`${root}src/snapshot/cli.ts`]);
if (!snapshotBuilt) prep.fail('packages snapshot');
// The proof needs only the snapshot: its lanes start now, on the core the site build leaves idle.
const early: Lane[] = isolated && snapshotBuilt ? ['proof1', 'proof2'] : [];
const earlyStarted = Date.now();
if (early.length) console.log(`\n▶ lanes ${early.join(' and ')}, beside the site build, each with a loopback of its own`);
const earlyLanes = early.map((lane) => runIsolated(lane));
// The site (with the editor's type declarations) is built before the other lanes: they run where
// the npm registry may be out of reach, and use what it builds.
if (!(await declarationsBuilt)) prep.fail("editor's declarations");
const siteBuilt = await prep.runBeside('build the site', process.execPath, [`${root}node_modules/astro/bin/astro.mjs`, 'build']);
if (!siteBuilt) prep.fail('site build');
// It reads the content types the build writes (`astro build` syncs them): after the build, beside the lanes.
const siteChecked = prep.stepBeside('type check: site', process.execPath, tsc);

const lanes: Lane[] = ['unit', 'proof1', 'proof2', ...(chromiumProblem || !siteBuilt ? [] : (['browser1', 'browser2'] as const))];
if (chromiumProblem) {
  console.error(`\n✖ browser tests cannot run:\n${chromiumProblem}`);
  prep.fail('browser tests (no Chromium)');
}

const lanesStarted = early.length ? earlyStarted : Date.now();
if (isolated) {
  const later = lanes.filter((lane) => !early.includes(lane));
  console.log(`\n▶ lanes ${later.join(' and ')}, side by side${early.length ? ` with ${early.join(' and ')}` : ''}, each with a loopback of its own`);
  const running = [...earlyLanes, ...later.map((lane) => runIsolated(lane))];
  // The busy lane boots its sandbox as soon as one lane is left (a core is free), and starts its
  // CPU hog only once that one is done too.
  let finished = 0;
  busyLane = new Promise<void>((resolve) => {
    for (const lane of running)
      void lane.then(() => {
        if (++finished === Math.max(1, running.length - 1)) resolve(runIsolated('busy', { CTL_HOG_AFTER: lanesDone }));
      });
  });
  await Promise.all(running);
  writeFileSync(lanesDone, '');
  for (const lane of lanes) addResults(all, laneResults(lane));
} else {
  console.log(`\n▶ lanes ${lanes.join(' then ')}, one after the other (separate network namespaces need root and unshare)`);
  for (const lane of lanes) runInline(lane);
}
all.timings.push({ label: `lanes (${lanes.join(' + ')}), side by side where they could`, wallSeconds: (Date.now() - lanesStarted) / 1000, cpuSeconds: NaN });
await Promise.all([storefrontChecked, siteChecked, linted]);
// Last and alone: its CPU hog would starve the lanes' tests.
if (busyLane) {
  console.log('\n▶ lane busy: a Check with a CPU hog on every core, its sandbox booted beside the last lane');
  await busyLane;
  addResults(all, laneResults('busy'));
} else {
  console.log('\n▶ lane busy: a Check with a CPU hog on every core');
  runInline('busy');
}

printTimings(all.timings);
printFailedTests(all.failedTests);
writeFileSync(`${reports}/timings.json`, `${JSON.stringify(all.timings, null, 2)}\n`);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\n${all.failures.length ? `✖ failed: ${all.failures.join(', ')}` : '✔ all suites passed'} (${minutes} min)`);
console.log(`${all.passed} passed, ${all.failed} failed${all.skipped ? `, ${all.skipped} skipped` : ''}`);
process.exit(all.failures.length ? 1 : 0);
