/**
 * One lane of `npm test` (tests/run-all.ts runs the lanes side by side, each in its own network
 * namespace where it can: the shop's ports are fixed, so two lanes running it would collide).
 * Needs what run-all prepares first: the packages snapshot and the built site.
 *   node tests/run-lane.ts unit|proof1|proof2|browser1|browser2|busy
 */
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { BROWSER_PARITY_ENV, V8_TIERS } from '../src/runtime/local/bridge.ts';
import { printTimings, reports, root, Steps } from './support/test-steps.ts';

/** The checkpoint proof in two halves of about equal time (lessons 7 and 8's Checks also run the learner's own tests). */
const PROOF_HALVES = ['01-05', '06-'] as const;
const proof = (steps: Steps, lessons: string) =>
  steps.vitest(`the checkpoint proof, lessons ${lessons}`, ['--project', 'sandbox', 'tests/lessons/checkpoints.test.ts'], {
    env: { ...process.env, PROOF_LESSONS: lessons },
  });

/**
 * The browser tests in two halves of about equal time beside the other lanes (they share two cores):
 * with second-tab.test.ts (about 20 s) here as well, a CI run took 562 s for these and 537 s for the
 * others. The second takes every file the first does not name.
 */
const BROWSER_FIRST_HALF = [
  'tests/browser/workspace.test.ts',
  'tests/browser/walkthrough.test.ts',
  'tests/browser/editor-types.test.ts',
  'tests/browser/site.test.ts',
  'tests/browser/telemetry.test.ts',
];

export const LANES = {
  /** Unit and contract tests. */
  unit(steps: Steps) {
    steps.vitest('unit', ['--project', 'unit']);
  },
  /** The first half of the checkpoint proof, the guard on the shop's own servers, the backend's reload, and what needs a process of its own. */
  proof1(steps: Steps) {
    proof(steps, PROOF_HALVES[0]);
    steps.vitest("the shop's servers: guard, reload; a Check's recording", [
      '--project',
      'sandbox',
      '--exclude',
      'tests/lessons/checkpoints.test.ts',
      '--exclude',
      'tests/sandbox/browser-path.test.ts',
    ]);
  },
  /** The second half of the proof, the browser's path, and the shop's own tests on the browser's tree. */
  proof2(steps: Steps) {
    proof(steps, PROOF_HALVES[1]);
    steps.vitest("the browser's path", ['--project', 'sandbox', 'tests/sandbox/browser-path.test.ts']);
    const browserTree = `${root}test-results/browser-tree`;
    if (!steps.run("the shop with the browser's packages", process.execPath, [`${root}tests/support/browser-tree.ts`, browserTree])) {
      steps.fail('browser tree');
      return;
    }
    // As the local runtime runs it (src/runtime/local/bridge.ts): no native addons, no ESM loader
    // hooks, no file modes; and its V8 tiers (speed only: esbuild's WebAssembly on the baseline compiler).
    const webContainerLike = { ...process.env, ...BROWSER_PARITY_ENV, NODE_OPTIONS: `${BROWSER_PARITY_ENV.NODE_OPTIONS} --import ${V8_TIERS}` };
    steps.vitest('storefront on Node 22, browser tree', [], { cwd: browserTree, env: webContainerLike });
    const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path));
    if (!systemNode) return;
    const version = spawnSync(systemNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version !== process.version)
      steps.vitest(`storefront on Node ${version}, browser tree`, [], { cwd: browserTree, env: webContainerLike, node: systemNode });
  },
  /** Real Chromium against the built site, the shop on the local runtime: half of the files… */
  browser1(steps: Steps) {
    steps.vitest('browser, first half', ['--project', 'browser', ...BROWSER_FIRST_HALF]);
  },
  /** …and the others. */
  browser2(steps: Steps) {
    steps.vitest('browser, second half', ['--project', 'browser', ...BROWSER_FIRST_HALF.flatMap((file) => ['--exclude', file])]);
  },
  /** A Check with a CPU hog on every core: alone, after the other lanes, whose tests it would starve. */
  busy(steps: Steps) {
    steps.vitest('a Check on a busy machine (a CPU hog on every core)', ['--project', 'busy']);
  },
};

export type Lane = keyof typeof LANES;
export const laneReport = (lane: Lane) => `${reports}/lane-${lane}.json`;

if (import.meta.filename === process.argv[1]) {
  const lane = process.argv[2] as Lane;
  if (!(lane in LANES)) {
    console.error(`usage: node tests/run-lane.ts ${Object.keys(LANES).join('|')}`);
    process.exit(2);
  }
  const steps = new Steps();
  LANES[lane](steps);
  writeFileSync(laneReport(lane), `${JSON.stringify(steps.results, null, 2)}\n`);
  printTimings(steps.results.timings);
  process.exit(steps.results.failures.length ? 1 : 0);
}
