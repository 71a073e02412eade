/**
 * `npm test`: every test of the repo, in the order that fails fastest.
 *   0. lint and format (Biome), type checks: the site and the storefront sandbox (strict TypeScript)
 *   1. the packages snapshot the browser mounts (built once per lockfile, kept in .cache/)
 *   2. unit and contract tests (Vitest, Node 22), the checkpoint proof among them
 *   3. the storefront's own tests on the browser's tree (node_modules from the snapshot), under a
 *      WebContainer's constraints (no native addons, napi-rs forced to WebAssembly), on Node 22
 *      and on the machine's Node 20 when it has one (learners' WebContainers run either)
 *   4. the site is built, then browser tests drive real Chromium against it
 * It ends with one line, "N passed, N failed", and exits non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findChromium } from './support/chromium.ts';
import { BROWSER_PARITY_ENV } from '../src/runtime/local/bridge.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const sandbox = `${root}sandboxes/storefront`;
const reports = `${root}test-results/reports`;
mkdirSync(reports, { recursive: true });

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const failures: string[] = [];

function run(label: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): boolean {
  console.log(`\n▶ ${label}\n  $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, stdio: 'inherit' });
  if (result.error) console.error(`  could not run ${command}: ${result.error.message}`);
  return result.status === 0;
}

/** Runs Vitest with a JSON report next to the normal output, and adds its counts to the total. */
function vitest(label: string, vitestArgs: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; node?: string } = {}): void {
  const report = `${reports}/${label.replace(/\W+/g, '-')}.json`;
  const cwd = options.cwd ?? root;
  const ok = run(
    label,
    options.node ?? process.execPath,
    [`${cwd}/node_modules/vitest/vitest.mjs`, 'run', ...vitestArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    options,
  );
  let counted = false;
  if (existsSync(report) && statSync(report).mtimeMs > started) {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    total.passed += json.numPassedTests;
    total.failed += json.numFailedTests;
    total.skipped += json.numPendingTests + json.numTodoTests;
    counted = true;
  }
  if (!ok) {
    failures.push(label);
    if (!counted) total.failed += 1;
  }
}

const started = Date.now();

// Fail early, and clearly, when the browser tests cannot run at all.
let chromiumProblem: string | null = null;
try {
  findChromium();
} catch (error) {
  chromiumProblem = (error as Error).message;
}

const tsc = [`${root}node_modules/typescript/bin/tsc`, '--noEmit'];
/** A step that is one pass or one failure of its own. */
const step = (label: string, command: string, args: string[]) => {
  if (!run(label, command, args)) {
    failures.push(label);
    total.failed += 1;
  } else total.passed += 1;
};
const typecheck = (label: string, args: string[]) => step(label, process.execPath, [...tsc, ...args]);
step('lint and format (Biome, as `npm run lint`)', process.execPath, [`${root}node_modules/@biomejs/biome/bin/biome`, 'check', '--error-on-warnings', '.']);
run('generate content types', process.execPath, [`${root}node_modules/astro/bin/astro.mjs`, 'sync']);
typecheck('type check: site', []);

// The sandbox is an ordinary npm project with its own lockfile: installed here for its type check
// (the snapshot leaves type declarations out), once, again only when the lockfile changes.
const installed = `${sandbox}/node_modules/.package-lock.json`;
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(`${sandbox}/package-lock.json`).mtimeMs) {
  if (!run('install the storefront sandbox', 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: sandbox })) failures.push('sandbox install');
}
typecheck('type check: storefront backend', ['-p', `${sandbox}/backend`]);
typecheck('type check: storefront frontend', ['-p', `${sandbox}/frontend`]);

if (!run('build the packages snapshot', process.execPath, [`${root}src/snapshot/cli.ts`])) {
  failures.push('packages snapshot');
  total.failed += 1;
}

vitest('unit', ['--project', 'unit']);

const browserTree = `${root}test-results/browser-tree`;
if (run("the shop with the browser's packages", process.execPath, [`${root}tests/support/browser-tree.ts`, browserTree])) {
  // As the local runtime runs it (src/runtime/local/bridge.ts): no native addons, no ESM loader hooks, no file modes.
  const webContainerLike = { ...process.env, ...BROWSER_PARITY_ENV };
  vitest('storefront on Node 22, browser tree', [], { cwd: browserTree, env: webContainerLike });
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path));
  if (systemNode) {
    const version = spawnSync(systemNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version !== process.version) vitest(`storefront on Node ${version}, browser tree`, [], { cwd: browserTree, env: webContainerLike, node: systemNode });
  }
} else {
  failures.push('browser tree');
  total.failed += 1;
}

if (chromiumProblem) {
  console.error(`\n✖ browser tests cannot run:\n${chromiumProblem}`);
  failures.push('browser tests (no Chromium)');
  total.failed += 1;
} else if (run('build the site', process.execPath, [`${root}node_modules/astro/bin/astro.mjs`, 'build'])) {
  vitest('browser', ['--project', 'browser']);
} else {
  failures.push('site build');
  total.failed += 1;
}

const minutes = ((Date.now() - started) / 60_000).toFixed(1);
console.log(`\n${failures.length ? `✖ failed: ${failures.join(', ')}` : '✔ all suites passed'} (${minutes} min)`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);
