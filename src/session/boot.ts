/**
 * Boot a lesson's sandbox: mount its files, install packages, start `npm run dev`, and wait for the
 * shop's frontend to serve. Every step reports progress; a failure says which step failed.
 */
import { fileMapToTree } from '../runtime/sandbox-path.ts';
import type { Runtime, SandboxProcess } from '../runtime/types.ts';
import type { FileMap } from './saved-edits.ts';

export const FRONTEND_PORT = 5173;
export const BACKEND_PORT = 3001;
/** How long the preview waits for the backend once the frontend serves (see bootSandbox). */
const BACKEND_GRACE_MS = 15_000;

export type BootStep = 'runtime' | 'mount' | 'install' | 'start' | 'ready';

export interface BootProgress {
  step: BootStep;
  /** 0..1 when the step can measure itself (install), else undefined. */
  fraction?: number;
  detail?: string;
}

export interface BootCallbacks {
  onProgress: (progress: BootProgress) => void;
  /** Output of install and the dev servers, for the terminal. */
  onOutput: (chunk: string) => void;
}

export class BootError extends Error {
  constructor(
    readonly step: BootStep,
    message: string,
  ) {
    super(message);
    this.name = 'BootError';
  }
}

export interface BootedSandbox {
  devServer: SandboxProcess;
  previewUrl: string;
}

/** Top-level package folders the lockfile will install, to measure the install's progress. */
export function expectedPackageFolders(lockfile: string | undefined): Set<string> {
  if (!lockfile) return new Set();
  try {
    const packages = (JSON.parse(lockfile) as { packages?: Record<string, unknown> }).packages ?? {};
    return new Set(
      Object.keys(packages)
        .map((path) => /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1])
        .filter((name): name is string => Boolean(name)),
    );
  } catch {
    return new Set();
  }
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

async function pipe(process: SandboxProcess, onOutput: (chunk: string) => void): Promise<void> {
  const reader = process.output.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onOutput(value);
  }
}

export async function bootSandbox(runtime: Runtime, files: FileMap, { onProgress, onOutput }: BootCallbacks): Promise<BootedSandbox> {
  onProgress({ step: 'mount', detail: `${Object.keys(files).length} files` });
  try {
    await runtime.mount(fileMapToTree(files));
  } catch (error) {
    throw new BootError('mount', `Could not write the shop's files into the sandbox: ${(error as Error).message}`);
  }

  const expected = expectedPackageFolders(files['package-lock.json']);
  onProgress({ step: 'install', fraction: 0, detail: `${expected.size} packages` });
  const install = await runtime.spawn('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
  void pipe(install, onOutput);
  let installing = true;
  const measure = (async () => {
    while (installing && expected.size > 0) {
      const done = await installedPackageFolders(runtime);
      if (installing) onProgress({ step: 'install', fraction: Math.min(done / expected.size, 0.99), detail: `${done} of ${expected.size} packages` });
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  })();
  const installExit = await install.exit;
  installing = false;
  await measure;
  if (installExit !== 0) {
    throw new BootError('install', `npm install failed (exit code ${installExit}). The terminal shows npm's message; a full disk or a lost connection are the usual causes.`);
  }
  onProgress({ step: 'install', fraction: 1, detail: `${expected.size} packages` });

  onProgress({ step: 'start', detail: 'npm run dev' });
  const listening = (wanted: number) => {
    let stop = () => {};
    const url = new Promise<string>((resolve) => {
      stop = runtime.onServerReady((port, url) => {
        if (port === wanted) {
          stop();
          resolve(url);
        }
      });
    });
    return { url, stop: () => stop() };
  };
  const frontend = listening(FRONTEND_PORT);
  const backend = listening(BACKEND_PORT);
  const devServer = await runtime.spawn('npm', ['run', 'dev']);
  void pipe(devServer, onOutput);
  const exitedEarly = devServer.exit.then((code) => {
    throw new BootError('start', `npm run dev stopped (exit code ${code}) before the shop was ready. The terminal shows why.`);
  });
  const previewUrl = await Promise.race([frontend.url, exitedEarly]);
  // The page's first load asks the API for products: show it once the backend listens too, or the
  // learner's first look is a 502. A backend that cannot start (a typo in their code) must not hold
  // the preview back for long: the terminal says why.
  let grace: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([backend.url, exitedEarly, new Promise((resolve) => (grace = setTimeout(resolve, BACKEND_GRACE_MS)))]);
  clearTimeout(grace);
  backend.stop();
  onProgress({ step: 'ready' });
  return { devServer, previewUrl };
}
