#!/usr/bin/env node
// node scripts/run-ts.mjs [--watch] [--port <port>] [--name <name>] [--import <file.ts>]... <entry.ts> [args...]
//
// Runs the shop's TypeScript with plain `node`, the same way everywhere, in-browser WebContainers
// included: esbuild (its WebAssembly build: no native code) compiles the entry and each --import
// file into JavaScript under node_modules/.cache/shop/<name>/, and node runs that with source maps,
// so stack traces and Sentry's error frames name your .ts files and lines. It needs no ESM loader
// hooks and no executable files, which an in-browser Node may not have.
//   --watch   rebuild on every save in the entry's folders and restart on the new code (a crash
//             waits for the next save; a program that finishes by itself ends the run)
//   --import  load this file before the entry, as `node --import` does (backend/src/instrument.ts)
//   --port    the program serves on this port: it is ready once the port answers
//   --name    names its build folder and its status (default: the entry's file name)
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import './lib/exit-with-parent.mjs';
import { reportStatus } from './lib/report-status.mjs';
import { fingerprint } from './lib/status.mjs';
import { outputOf, typeScriptBuild } from './lib/ts-build.mjs';
import { watchFolders } from './lib/watch-folders.mjs';

const root = process.cwd();
const exitWithParent = pathToFileURL(fileURLToPath(new URL('./lib/exit-with-parent.mjs', import.meta.url))).href;
const posix = (path) => path.split(sep).join('/');
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
/** Long enough for the shop to finish starting before esbuild takes its second of CPU. */
const WARM_AFTER_MS = 3000;

/** Options up to the entry; everything after it is the program's own arguments. */
export function parseArguments(argv) {
  const options = { watch: false, port: undefined, name: undefined, imports: [], entry: undefined, args: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--watch') options.watch = true;
    else if (arg === '--port') options.port = Number(argv[++i]);
    else if (arg === '--name') options.name = argv[++i];
    else if (arg === '--import') options.imports.push(argv[++i]);
    else {
      options.entry = arg;
      options.args = argv.slice(i + 1);
      break;
    }
  }
  if (!options.entry || options.imports.includes(undefined) || (options.port !== undefined && !(options.port > 0))) {
    throw new Error('usage: node scripts/run-ts.mjs [--watch] [--port <port>] [--name <name>] [--import <file.ts>]... <entry.ts> [args...]');
  }
  options.name ??= basename(options.entry).replace(/\.[cm]?[jt]sx?$/, '');
  return options;
}

/** The folders worth watching: where the program's own files are, none inside another. */
export function foldersOf(paths) {
  const folders = [...new Set(paths.map((path) => posix(dirname(relative(root, resolve(path))))))].sort();
  return folders.filter((folder) => !folders.some((other) => other !== folder && (other === '.' || folder.startsWith(`${other}/`))));
}

async function filesUnder(folder) {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => posix(relative(root, join(entry.parentPath, entry.name))))
    .filter((path) => !path.split('/').includes('node_modules'));
}

/** Every file in the watched folders, fingerprinted: what a reader compares its own files with. */
async function readSources(folders) {
  const sources = {};
  for (const folder of folders) {
    for (const path of await filesUnder(folder)) {
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text !== null) sources[path] = fingerprint(text);
    }
  }
  return sources;
}

/** esbuild's first error, as one problem with its place. */
function buildProblem(failure) {
  const first = failure?.errors?.[0];
  if (!first) return { message: String(failure?.message ?? failure) };
  const where = first.location;
  return where ? { file: posix(where.file), line: where.line, column: where.column + 1, message: first.text } : { message: first.text };
}

/** A crashed program's error, from the end of what it printed: its message and the first frame in the shop's own files. */
export function crashProblem(stderr, exitCode) {
  const lines = stderr.replace(/\x1b\[[0-9;]*m/g, '').split('\n');
  const message = lines.find((line) => /^(\w*Error|\w+Exception)\b.*:/.test(line.trim()))?.trim();
  for (const line of lines) {
    const frame = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!frame || !/^\s+at /.test(line) && !/^\/|^file:/.test(line.trim())) continue;
    const path = frame[1].startsWith('file:') ? fileURLToPath(frame[1]) : frame[1];
    const file = posix(relative(root, path));
    if (file.startsWith('..') || file.split('/').includes('node_modules')) continue;
    return { file, line: Number(frame[2]), column: Number(frame[3]), message: message ?? `stopped with exit code ${exitCode}` };
  }
  return { message: message ?? `stopped with exit code ${exitCode}` };
}

/**
 * Another user's program on the port, as the course's local runtime sees it (its sandbox guard,
 * preloaded there, names who holds it); elsewhere, in a WebContainer or run alone, nothing.
 */
const portHolder = (port) => globalThis[Symbol.for('checkout-trace-lab.sandbox-guard')]?.foreignListener(port) ?? null;

function answers(port) {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** Runs the program, rebuilding and restarting it on change when watching. */
export async function runTypeScript(options) {
  const outdir = join(root, 'node_modules', '.cache', 'shop', options.name);
  const entries = [...options.imports, options.entry];
  const build = typeScriptBuild({ entries, outdir });
  let child = null;
  let stderrTail = '';
  let stopping = false;

  const status = reportStatus(options.name, foldersOf(entries));
  const report = (patch) => status.report(patch);

  const stopChild = async () => {
    const running = child;
    if (!running) return;
    child = null;
    const exited = new Promise((done) => (running.exitCode !== null || running.signalCode !== null ? done() : running.once('exit', done)));
    running.kill('SIGTERM');
    if ((await Promise.race([exited.then(() => true), sleep(1500)])) !== true) running.kill('SIGKILL');
    await exited;
  };

  const startChild = async () => {
    if (options.port) {
      for (let waited = 0; (await answers(options.port)) || portHolder(options.port); waited += 100) {
        if (waited >= 5000) {
          const problem = { message: portHolder(options.port)?.message ?? `port ${options.port} is taken by another program, so the new code cannot serve there` };
          console.error(`\x1b[31m✖ ${problem.message}\x1b[0m`);
          return report({ state: 'failed', problem });
        }
        await sleep(100);
      }
    }
    await report({ state: 'starting' });
    const imports = options.imports.flatMap((file) => ['--import', pathToFileURL(outputOf(outdir, file)).href]);
    const started = spawn(process.execPath, ['--enable-source-maps', '--import', exitWithParent, ...imports, outputOf(outdir, options.entry), ...options.args], {
      stdio: ['pipe', 'inherit', 'pipe'],
      env: { ...process.env, SHOP_PARENT_PIPE: '1' },
    });
    child = started;
    stderrTail = '';
    started.stdin.on('error', () => {});
    started.stderr.on('data', (chunk) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk).slice(-8000);
    });
    started.once('exit', (code, signal) => {
      if (child !== started) return; // stopped on purpose
      child = null;
      if (!options.watch) return void report({ state: 'stopped' }).then(() => process.exit(code ?? 1));
      // A program that finishes by itself (shoppers with --count) ends the run.
      if (code === 0) return void report({ state: 'stopped' }).then(() => process.exit(0));
      const problem = crashProblem(stderrTail, code ?? signal);
      console.error(`\x1b[31m✖ ${options.name} stopped: ${problem.file ? `${problem.file}:${problem.line}:${problem.column} ` : ''}${problem.message}\x1b[0m`);
      console.error('\x1b[2m(it starts again when you save a change)\x1b[0m');
      void report({ state: 'failed', problem });
    });
    if (!options.port) return report({ state: 'ready' });
    while (child === started && !(await answers(options.port))) await sleep(25);
    if (child === started) await report({ state: 'ready' });
  };

  const buildAndRun = async (changed) => {
    const sources = await readSources(status.watched);
    if (changed) console.log(`\x1b[2m${changed} changed: rebuilding\x1b[0m`);
    await report({ state: 'building', sources });
    let result;
    try {
      result = await build.rebuild();
    } catch (failure) {
      await stopChild();
      if (failure?.errors) for (const text of await build.formatMessages(failure.errors)) process.stderr.write(text);
      const problem = buildProblem(failure);
      console.error(`\x1b[31m✖ ${problem.file ? `${problem.file}:${problem.line}:${problem.column} ` : ''}${problem.message}\x1b[0m`);
      if (!options.watch) process.exit(1);
      return report({ state: 'failed', sources, problem });
    }
    const folders = foldersOf([...entries, ...result.inputs]);
    if (folders.join() !== status.watched.join()) {
      status.watched = folders;
      rewatch();
      return buildAndRun(); // the sources to compare now include the new folders
    }
    if (!result.outputsChanged && child) return report({ state: status.current?.state === 'starting' ? 'starting' : 'ready', sources });
    await stopChild();
    // Run once: esbuild is done with, and goes before the program runs.
    if (!options.watch) await build.dispose();
    await startChild();
    // Started from an earlier build: esbuild starts now, in the background, so the first save builds at once.
    if (options.watch) setTimeout(() => void build.warm().catch(() => {}), WARM_AFTER_MS).unref();
  };

  // Saves come in bursts (a formatter writes twice); the latest one always gets its build.
  let building = false;
  let pending = false;
  let changed = null;
  const schedule = async (path) => {
    pending = true;
    changed = path;
    if (building) return;
    building = true;
    while (pending) {
      pending = false;
      await sleep(20);
      await buildAndRun(changed);
    }
    building = false;
  };

  let unwatch = () => {};
  function rewatch() {
    unwatch();
    if (options.watch) unwatch = watchFolders(status.watched, schedule);
  }

  const shutDown = async () => {
    if (stopping) return;
    stopping = true;
    await stopChild();
    await build.dispose();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, shutDown);

  rewatch();
  void schedule(null);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  await runTypeScript(options);
}
