/**
 * Boot a lesson's sandbox: mount the packages snapshot and the lesson's files, install only when
 * the learner changed package.json, start `npm run dev`, and wait for the shop. Every step reports
 * progress; a failure names its step and carries the output of the process that failed.
 */
import { fileMapToTree } from '../runtime/sandbox-path.ts';
import type { PackagesSnapshot, Runtime, SandboxProcess } from '../runtime/types.ts';
import { expectedPackageFolders, needsInstall } from './packages.ts';
import type { FileMap } from '../runtime/types.ts';
import { forEachChunk } from '../runtime/process-output.ts';

export const FRONTEND_PORT = 5173;
export const BACKEND_PORT = 3001;
export const COLLECTOR_PORT = 8969;
/** How long the preview waits for the backend and collector once the frontend serves (see startShop). */
const BACKEND_GRACE_MS = 15_000;
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

export interface RunningShop {
  devServer: SandboxProcess;
  previewUrl: string;
}

/** Starts `npm run dev` and waits for the frontend (and, briefly, the backend) to serve. */
export async function startShop(runtime: Runtime, { onProgress, onOutput }: BootCallbacks, stallMs = START_STALL_MS): Promise<RunningShop> {
  onProgress({ step: 'start', detail: 'npm run dev' });
  const frontend = serverOn(runtime, FRONTEND_PORT);
  const backend = serverOn(runtime, BACKEND_PORT);
  const collector = serverOn(runtime, COLLECTOR_PORT);
  const tail = new Tail();
  const devServer = await runtime.spawn('npm', ['run', 'dev']);
  pipeOutput(devServer, onOutput, tail);
  let stall: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    void devServer.exit.then((code) => reject(new BootError('start', `npm run dev stopped (exit code ${code}) before the shop was ready.`, tail.text)));
    stall = setTimeout(() => reject(new BootError('start', `The shop did not start within ${stallMs / 1000} s.`, tail.text)), stallMs);
  });
  failed.catch(() => {}); // it also settles after a successful start, when the shop stops

  try {
    const previewUrl = await Promise.race([frontend.url, failed]);
    // The page's first load asks the API for products: show it once the backend listens too, or the
    // learner's first look is a 502. A backend that cannot start (a typo in their code) must not hold
    // the preview back for long: the terminal says why.
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all([backend.url, collector.url]), failed, new Promise((resolve) => (grace = setTimeout(resolve, BACKEND_GRACE_MS)))]);
    clearTimeout(grace);
    return { devServer, previewUrl };
  } catch (error) {
    devServer.kill();
    throw error;
  } finally {
    clearTimeout(stall);
    frontend.stop();
    backend.stop();
    collector.stop();
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
  if (await needsInstall(files, packages.manifest)) await install(runtime, files, callbacks);
}
