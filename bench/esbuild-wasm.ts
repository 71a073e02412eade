/**
 * What esbuild's WebAssembly build costs a sandbox process, with V8's default compilers and with
 * its baseline compiler alone (Liftoff: the local runtime preloads src/runtime/local/v8-tiers.mjs
 * into every sandbox process). Bundles the shop's frontend (React and the Sentry SDK) and builds its
 * backend, each in a fresh `node` as Vite, the backend's runner and Vitest start one, 3 times; prints
 * the median wall and CPU seconds. Exits 1 if the baseline compiler costs more CPU than the default.
 *   node bench/esbuild-wasm.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const shop = fileURLToPath(new URL('../sandboxes/storefront/', import.meta.url));
const baseline = fileURLToPath(new URL('../src/runtime/local/v8-tiers.mjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'esbuild-wasm-bench-'));
const RUNS = 3;

const BUILDS = {
  'frontend, bundled': ['frontend/src/main.tsx', '--bundle', '--format=esm', '--jsx=automatic', `--outfile=${out}/frontend.js`],
  backend: ['backend/src/app.ts', '--bundle', '--platform=node', '--packages=external', `--outfile=${out}/backend.js`],
};
const COMPILERS = { 'default (Liftoff, then TurboFan)': [], 'Liftoff only (the local runtime)': ['--import', baseline] };

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Wall and CPU seconds of one esbuild run in a fresh node. */
function run(nodeArgs: string[], buildArgs: string[]): { wall: number; cpu: number } {
  const script = `
    const { spawnSync } = require('node:child_process');
    const started = Date.now();
    const result = spawnSync(process.execPath, ${JSON.stringify(nodeArgs)}.concat(['node_modules/esbuild/bin/esbuild'], ${JSON.stringify(buildArgs)}, ['--log-level=error']), { stdio: 'inherit' });
    if (result.status !== 0) process.exit(1);
    const { readFileSync } = require('node:fs');
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    console.log(JSON.stringify({ wall: (Date.now() - started) / 1000, cpu: (Number(fields[13]) + Number(fields[14])) / 100 }));
  `;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: shop, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`esbuild failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim());
}

console.log(`esbuild's WebAssembly build, ${RUNS} runs each, on Node ${process.version}\n`);
console.log('| build | compilers | wall (median) | CPU (median) |\n|---|---|---|---|');
let worse = false;
for (const [build, buildArgs] of Object.entries(BUILDS)) {
  const cpu: Record<string, number> = {};
  for (const [compilers, nodeArgs] of Object.entries(COMPILERS)) {
    const runs = Array.from({ length: RUNS }, () => run(nodeArgs, buildArgs));
    cpu[compilers] = median(runs.map((r) => r.cpu));
    console.log(`| ${build} | ${compilers} | ${median(runs.map((r) => r.wall)).toFixed(2)} s | ${cpu[compilers]!.toFixed(2)} s |`);
  }
  const [standard, liftoff] = Object.values(cpu);
  if (liftoff! > standard!) worse = true;
}
rmSync(out, { recursive: true, force: true });
if (worse) {
  console.log('\n✖ the baseline compiler alone costs more CPU than the default: drop src/runtime/local/v8-tiers.mjs');
  process.exit(1);
}
