#!/usr/bin/env node
// node scripts/probe.mjs: what this Node can do, in about a second, as one line of JSON. The course
// runs it when the shop boots: an in-browser WebContainer's Node is Node compiled for the browser,
// and some of what the shop and the lessons use may be missing there. Each capability is
// { ok, detail? }; the course says which lessons a missing one affects.
import { spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { watch } from 'node:fs';
import { createServer, get } from 'node:http';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const scratch = resolve('node_modules/.cache/shop/probe');
const LIMIT_MS = 1500;

/** Runs a check with a time limit; a check that throws or runs out of time is not ok. */
function within(check) {
  let timer;
  return Promise.race([
    Promise.resolve()
      .then(check)
      .catch((error) => ({ ok: false, detail: String(error?.message ?? error) })),
    new Promise((done) => (timer = setTimeout(() => done({ ok: false, detail: `no answer within ${LIMIT_MS} ms` }), LIMIT_MS))),
  ]).finally(() => clearTimeout(timer));
}

const checks = {
  /** A script marked executable runs as a program (what `npx` and node_modules/.bin need). */
  async commands() {
    const script = join(scratch, 'command');
    await writeFile(script, '#!/usr/bin/env node\nprocess.exit(0);\n');
    await chmod(script, 0o755);
    const code = await new Promise((done, fail) => spawn(script, [], { stdio: 'ignore' }).once('exit', done).once('error', fail));
    return { ok: code === 0, detail: code === 0 ? undefined : `exit code ${code}` };
  },

  /** ESM loader hooks (tsx and the like need them; the shop does not). */
  async loaderHooks() {
    const module = await import('node:module');
    const present = ['register', 'registerHooks'].filter((name) => typeof module[name] === 'function');
    return { ok: present.length > 0, detail: present.length ? present.join(', ') : 'neither module.register nor module.registerHooks' };
  },

  /** Tracing channels: Sentry names Express routes through them. */
  async tracingChannel() {
    const channels = await import('node:diagnostics_channel');
    return { ok: typeof channels.tracingChannel === 'function', detail: typeof channels.tracingChannel === 'function' ? undefined : 'diagnostics_channel.tracingChannel is missing' };
  },

  /** Node's HTTP server announces each request on a channel: Sentry's backend spans start there. */
  async httpServerChannel() {
    const channels = await import('node:diagnostics_channel');
    let seen = false;
    const onStart = () => (seen = true);
    channels.subscribe('http.server.request.start', onStart);
    const server = createServer((_req, res) => res.end('ok'));
    try {
      await new Promise((done) => server.listen(0, '127.0.0.1', done));
      await new Promise((done, fail) => get(`http://127.0.0.1:${server.address().port}/`, (res) => res.resume().on('end', done)).on('error', fail));
    } finally {
      channels.unsubscribe('http.server.request.start', onStart);
      server.close();
    }
    return { ok: seen, detail: seen ? undefined : 'no message on http.server.request.start' };
  },

  /** A save is noticed without polling (the backend's restart, Vite's hot reload). */
  async fileWatch() {
    const folder = join(scratch, 'watched');
    await mkdir(join(folder, 'inner'), { recursive: true });
    return new Promise((done) => {
      const watcher = watch(folder, { recursive: true }, () => {
        watcher.close();
        done({ ok: true });
      });
      setTimeout(() => writeFile(join(folder, 'inner', 'saved.txt'), String(Date.now())), 20);
    });
  },

  /** Worker threads that block on Atomics.wait (esbuild's synchronous API works this way). */
  async workerAtomics() {
    const { Worker } = await import('node:worker_threads');
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker('const { workerData } = require("node:worker_threads"); Atomics.store(workerData, 0, 1); Atomics.notify(workerData, 0);', {
      eval: true,
      workerData: shared,
    });
    const result = Atomics.wait(shared, 0, 0, 1000);
    await worker.terminate();
    return { ok: shared[0] === 1, detail: shared[0] === 1 ? undefined : `Atomics.wait: ${result}` };
  },

  /** Stack traces name the TypeScript source (scripts/run-ts.mjs runs compiled code with source maps). */
  async sourceMaps() {
    if (typeof process.setSourceMapsEnabled !== 'function') return { ok: false, detail: 'process.setSourceMapsEnabled is missing' };
    process.setSourceMapsEnabled(true);
    // Line 1 of the compiled file comes from line 42 of original.ts ("AAyCA": column 0, source 0, line +41, column 0).
    const map = { version: 3, sources: ['original.ts'], names: [], mappings: 'AAyCA', file: 'compiled.mjs' };
    const compiled = join(scratch, 'compiled.mjs');
    const inline = Buffer.from(JSON.stringify(map)).toString('base64');
    await writeFile(compiled, `export const trace = () => new Error('probe').stack;\n//# sourceMappingURL=data:application/json;base64,${inline}\n`);
    const { trace } = await import(`${pathToFileURL(compiled).href}?${Date.now()}`);
    const stack = trace();
    return { ok: stack.includes('original.ts:42'), detail: stack.includes('original.ts:42') ? undefined : 'stack traces show compiled files' };
  },
};

await mkdir(scratch, { recursive: true });
const names = Object.keys(checks);
const results = await Promise.all(names.map((name) => within(checks[name])));
await rm(scratch, { recursive: true, force: true }).catch(() => {});
const capabilities = Object.fromEntries(names.map((name, i) => [name, Object.fromEntries(Object.entries(results[i]).filter(([, v]) => v !== undefined))]));
console.log(JSON.stringify({ node: process.version, capabilities }));
process.exit(0);
