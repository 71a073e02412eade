/**
 * Boot a lesson's sandbox: mount the packages snapshot and the lesson's files, run the shop's
 * after-mount step, install only when the learner changed package.json, start the shop
 * (`node scripts/dev.mjs`, what `npm run dev` runs), and wait for it. Every step reports progress; a
 * failure names its step and carries the output of the process that failed.
 */
import { fileMapToTree } from '../runtime/sandbox-path.ts';
import type { PackagesSnapshot, Runtime, SandboxProcess } from '../runtime/types.ts';
import { expectedPackageFolders, needsInstall } from './packages.ts';
import type { FileMap } from '../runtime/types.ts';
import { forEachChunk, readAll } from '../runtime/process-output.ts';
import { readProbe, type ProbeReport } from '../sandbox/capabilities.ts';
import { BACKEND, FRONTEND, FRONTEND_PORT, PROCESS_NAMES, SHOP_SCRIPTS, STATUS_FRAMES_ENV, type PartStatus } from '../sandbox/shop.ts';
import { OutputFrameReader } from '../sandbox/output-frames.ts';
/** A shop that has not served by then is stuck: say so and offer a restart, never spin. */
export const START_STALL_MS = 60_000;

export type BootStep = 'runtime' | 'mount' | 'install' | 'start' | 'ready';

export interface BootProgress {
  step: BootStep;
  /** 0..1 when the step can measure itself (mount, install), else undefined. */
  fraction?: number;
  detail?: string;
}

export interface BootCallbacks {
  onProgress: (progress: BootProgress) => void;
  /** Output of install and the dev servers, for the terminal. */
  onOutput: (chunk: string) => void;
}

export class BootError extends Error {
  readonly step: BootStep;
  /** The end of the failing process's output, when a process failed. */
  readonly output: string;
  constructor(step: BootStep, message: string, output = '') {
    super(message);
    this.name = 'BootError';
    this.step = step;
    this.output = output;
  }
}

/** Keeps the last few kilobytes a process printed, for an error report. */
class Tail {
  text = '';
  push(chunk: string) {
    this.text = (this.text + chunk).slice(-4000);
  }
}

/** Reads a process's output into the terminal (and a tail) until it ends. */
export function pipeOutput(process: SandboxProcess, onOutput: (chunk: string) => void, tail?: Tail): void {
  void forEachChunk(process, (chunk) => {
    tail?.push(chunk);
    onOutput(chunk);
  });
}

async function installedPackageFolders(runtime: Runtime): Promise<number> {
  const entries = await runtime.readdir('node_modules').catch(() => []);
  let count = 0;
  for (const entry of entries) {
    if (entry.kind !== 'directory' || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) count += (await runtime.readdir(`node_modules/${entry.name}`).catch(() => [])).length;
    else count++;
  }
  return count;
}

async function install(runtime: Runtime, files: FileMap, { onProgress, onOutput }: BootCallbacks): Promise<void> {
  const expected = expectedPackageFolders(files['package-lock.json']);
  onProgress({ step: 'install', fraction: 0, detail: `package.json changed: ${expected.size} packages` });
  const tail = new Tail();
  const npm = await runtime.spawn('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
  pipeOutput(npm, onOutput, tail);
  let installing = true;
  const measure = (async () => {
    while (installing && expected.size > 0) {
      const done = await installedPackageFolders(runtime);
      if (installing) onProgress({ step: 'install', fraction: Math.min(done / expected.size, 0.99), detail: `${done} of ${expected.size} packages` });
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  })();
  const code = await npm.exit;
  installing = false;
  await measure;
  if (code !== 0) {
    throw new BootError(
      'install',
      `npm install failed (exit code ${code}). A full disk, a lost connection or a package name that does not exist are the usual causes.`,
      tail.text,
    );
  }
}

/** Resolves with the URL of the first server that announces `port`. */
function serverOn(runtime: Runtime, port: number) {
  let stop = () => {};
  const url = new Promise<string>((resolve) => {
    stop = runtime.onServerReady((ready, url) => {
      if (ready === port) {
        stop();
        resolve(url);
      }
    });
  });
  return { url, stop: () => stop() };
}

/** Resolves with the first status of `part` that `done` accepts, as the shop's output reports it. */
function statusOf(part: string, done: (status: PartStatus) => boolean) {
  let resolve: (status: PartStatus) => void = () => {};
  const reached = new Promise<PartStatus>((settle) => (resolve = settle));
  return { reached, see: (status: PartStatus) => status.name === part && done(status) && resolve(status) };
}

export interface RunningShop {
  devServer: SandboxProcess;
  previewUrl: string;
}

const settled = (status: PartStatus) => status.state === 'ready' || status.state === 'failed' || status.state === 'stopped';

/**
 * Starts the shop (`npm run dev`'s script, run directly) and waits until it serves: the frontend
 * says it is ready and its port is reachable, and the backend is ready too, or has failed (then
 * the shop runs with the failure shown; the learner's fix restarts it). Every wait is for a report
 * from the shop; `stallMs` is only the ceiling for one that never comes.
 */
export async function startShop(runtime: Runtime, { onProgress, onOutput }: BootCallbacks, stallMs = START_STALL_MS): Promise<RunningShop> {
  onProgress({ step: 'start', detail: 'npm run dev' });
  const frontendServer = serverOn(runtime, FRONTEND_PORT);
  const frontend = statusOf(FRONTEND, (status) => status.state === 'ready' || status.state === 'failed');
  const backend = statusOf(BACKEND, settled);
  const tail = new Tail();
  // `node scripts/dev.mjs`, not `npm run dev`: stopping it must stop the shop, and a process started
  // through npm (a shell in WebContainers) may outlive a kill and keep holding the ports.
  const devServer = await runtime.spawn('node', [SHOP_SCRIPTS.dev], { env: STATUS_FRAMES_ENV, name: PROCESS_NAMES.shop });
  const reader = new OutputFrameReader();
  let starting = true;
  pipeOutput(
    devServer,
    (chunk) => {
      onOutput(chunk);
      if (!starting) return;
      for (const status of reader.push(chunk).statuses) {
        frontend.see(status);
        backend.see(status);
      }
    },
    tail,
  );
  let stall: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    void devServer.exit.then((code) =>
      reject(new BootError('start', `The shop (scripts/dev.mjs) stopped (exit code ${code}) before it was ready.`, tail.text)),
    );
    stall = setTimeout(() => reject(new BootError('start', `The shop did not start within ${stallMs / 1000} s.`, tail.text)), stallMs);
  });
  failed.catch(() => {}); // it also settles after a successful start, when the shop stops

  try {
    // The page's first load asks the API for products: show it once the backend is up too, or the
    // learner's first look is a 502. A backend that cannot start says so at once (its status).
    const frontendUp = frontend.reached.then((status) => {
      if (status.state === 'failed') throw new BootError('start', `The frontend could not start: ${status.problem?.message ?? 'see Shop output'}`, tail.text);
    });
    const [previewUrl] = await Promise.race([Promise.all([frontendServer.url, frontendUp, backend.reached]), failed]);
    return { devServer, previewUrl };
  } catch (error) {
    devServer.kill();
    throw error;
  } finally {
    starting = false;
    clearTimeout(stall);
    frontendServer.stop();
  }
}

/** Puts the shop's packages and the lesson's files into a fresh sandbox, installing only if needed. */
export async function prepareSandbox(runtime: Runtime, files: FileMap, packages: PackagesSnapshot, callbacks: BootCallbacks): Promise<void> {
  const { onProgress } = callbacks;
  const megabytes = (packages.manifest.gzipBytes / 2 ** 20).toFixed(1);
  onProgress({ step: 'mount', fraction: 0, detail: `the shop\u2019s packages (${megabytes} MB)` });
  try {
    await runtime.mountSnapshot(packages, (fraction) => onProgress({ step: 'mount', fraction, detail: `the shop\u2019s packages (${megabytes} MB)` }));
    onProgress({ step: 'mount', fraction: 1, detail: `${Object.keys(files).length} files of the lesson` });
    await runtime.mount(fileMapToTree(files));
  } catch (error) {
    throw new BootError('mount', `Could not put the shop into the sandbox: ${(error as Error).message}`);
  }
  await afterMount(runtime, callbacks);
  if (await needsInstall(files, packages.manifest)) await install(runtime, files, callbacks);
}

/**
 * The shop's own post-mount step, the same in both runtimes: a WebContainer's file system keeps no
 * file modes, so it makes node_modules/.bin runnable again (nothing the course needs relies on it).
 */
async function afterMount(runtime: Runtime, { onOutput }: BootCallbacks): Promise<void> {
  const step = await runtime.spawn('node', [SHOP_SCRIPTS.afterMount]);
  const [output, code] = await Promise.all([readAll(step), step.exit]);
  onOutput(`\x1b[2m${output.trimEnd().replace(/\n/g, '\r\n')}\x1b[0m\r\n`);
  if (code !== 0) throw new BootError('mount', `The shop's after-mount step (${SHOP_SCRIPTS.afterMount}) failed (exit code ${code}).`, output);
}

/** What the sandbox's Node can do (scripts/probe.mjs, about a second); null when the probe could not say. */
export async function probeSandbox(runtime: Runtime): Promise<ProbeReport | null> {
  try {
    const probe = await runtime.spawn('node', [SHOP_SCRIPTS.probe]);
    return readProbe(await readAll(probe));
  } catch {
    return null;
  }
}
