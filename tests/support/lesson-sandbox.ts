/**
 * A lesson's sandbox booted the way the workspace boots it, on the local runtime behind a real
 * bridge: mount the lesson's start, `npm install`, `npm run dev`, wait for all three parts.
 * Shared by CI's checkpoint proof and the check-duration bench; lesson files for browser tests.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { attachLocalRuntime, createLaunchToken, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { fileMapToTree } from '../../src/runtime/sandbox-path.ts';
import type { Runtime, SandboxProcess } from '../../src/runtime/types.ts';

const lessonsDir = new URL('../../content/lessons/', import.meta.url);

export const lessonIds = (): string[] => readdirSync(lessonsDir).filter((name) => /^\d\d-/.test(name)).sort();

/** One file of a lesson's overlay, e.g. lesson 6's shipped bug: lessonFile('06-something-broke', 'start', 'backend/src/inventory.ts'). */
export const lessonFile = (lesson: string, overlay: 'start' | 'solution', path: string): string =>
  readFileSync(new URL(`${lesson}/${overlay}/${path}`, lessonsDir), 'utf8');

export interface LocalBridge {
  boot(files: Record<string, string>): Promise<Runtime>;
  close(): Promise<void>;
}

const drain = (process: SandboxProcess) =>
  void (async () => {
    const reader = process.output.getReader();
    while (!(await reader.read()).done);
  })();

/** Reads a process's output until every pattern has shown up, then keeps draining it. */
async function waitForAll(process: SandboxProcess, patterns: RegExp[], timeoutMs: number) {
  let text = '';
  const reader = process.output.getReader();
  const deadline = Date.now() + timeoutMs;
  // Vite colours its banner: match on the text without terminal escape codes.
  while (!patterns.every((pattern) => pattern.test(text.replace(/\x1b\[[0-9;]*m/g, '')))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${patterns.join(', ')}:\n${text.slice(-3000)}`);
    const { done, value } = await reader.read();
    if (done) throw new Error(`process ended early:\n${text.slice(-3000)}`);
    text += value;
  }
  reader.releaseLock();
  drain(process);
}

export async function startLocalBridge(): Promise<LocalBridge> {
  const token = createLaunchToken();
  const server: Server = createServer();
  const bridge: LocalRuntimeBridge = attachLocalRuntime(server, { token, allowedOrigins: [] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/__runtime`;
  return {
    async boot(files) {
      const runtime = await connectLocalRuntime(url, token);
      await runtime.mount(fileMapToTree(files));
      const install = await runtime.spawn('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
      drain(install);
      const code = await install.exit;
      if (code !== 0) throw new Error(`npm install failed with exit code ${code}`);
      const dev = await runtime.spawn('npm', ['run', 'dev']);
      await waitForAll(dev, [/Backend listening/, /Local:/, /Collector listening/], 60_000);
      return runtime;
    },
    async close() {
      await bridge.close();
      server.close();
    },
  };
}

type FileMap = Record<string, string>;

const BACKEND_SOURCE = /^backend\/src\//;
const answers = (url: string) => fetch(url, { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);

async function pollUntil(condition: () => Promise<boolean>, timeoutMs: number, everyMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return false;
}

/**
 * After a save in backend/src/, `tsx watch` stops the backend and starts it again: waits for both.
 * The backend may never come back (a variant with a syntax error); the checks then say so.
 */
async function backendRestarted(): Promise<void> {
  if (!(await pollUntil(async () => !(await answers('http://127.0.0.1:3001/health')), 5000))) {
    throw new Error('The backend did not restart after a save in backend/src/: tsx watch missed it.');
  }
  await pollUntil(() => answers('http://127.0.0.1:3001/health'), 10_000, 50);
}

/**
 * The files of a booted lesson sandbox, changed the way a learner's saves change them: each step
 * writes what differs from the files it holds now, removes what is gone, and waits until the
 * running shop has picked it up.
 */
export class LessonFiles {
  readonly #runtime: Runtime;
  #current: FileMap;

  constructor(runtime: Runtime, start: FileMap) {
    this.#runtime = runtime;
    this.#current = { ...start };
  }

  /** With `waitForShop: false` it returns as soon as the files are written, as a learner may press Check. */
  async become(next: FileMap, { waitForShop = true } = {}): Promise<void> {
    const written = Object.keys(next).filter((path) => this.#current[path] !== next[path]);
    const removed = Object.keys(this.#current).filter((path) => !(path in next));
    for (const path of written) await this.#runtime.writeFile(path, next[path]!);
    for (const path of removed) await this.#runtime.rm(path);
    this.#current = { ...next };
    if (waitForShop && [...written, ...removed].some((path) => BACKEND_SOURCE.test(path))) await backendRestarted();
  }
}

/** Writes a lesson's solution into the running sandbox and waits for the shop to pick it up. */
export async function writeSolution(runtime: Runtime, solution: FileMap) {
  await new LessonFiles(runtime, {}).become(solution);
}
