/**
 * A lesson's sandbox booted exactly the way the workspace boots it (src/session/boot.ts), on the
 * local runtime behind a real bridge: the packages snapshot the browser mounts, the lesson's
 * files, no install, `npm run dev`, the shop serving. Shared by CI's checkpoint proof and the
 * check-duration bench; lesson files for browser tests.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachLocalRuntime, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { LaunchAccess } from '../../src/server/access.ts';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import type { FileMap, Runtime } from '../../src/runtime/types.ts';
import { prepareSandbox, startShop, type BootCallbacks } from '../../src/session/boot.ts';
import { packagesSnapshot } from './packages-snapshot.ts';

/**
 * One file of a lesson's sandbox as the lesson starts or once solved, e.g. lesson 6's shipped bug:
 * `await lessonFile('06-something-broke', 'start', 'backend/src/inventory.ts')`.
 */
export async function lessonFile(lesson: string, moment: 'start' | 'solution', path: string): Promise<string> {
  const { start, solution } = await lessonSandbox(lesson);
  const contents = moment === 'start' ? start[path] : (solution[path] ?? start[path]);
  if (contents === undefined) throw new Error(`${path} is not a file of lesson ${lesson}'s sandbox`);
  return contents;
}

/** Node as a WebContainer may provide it: no ESM loader hooks (see without-module-register.cjs). */
export const WITHOUT_MODULE_REGISTER = `--require ${new URL('./without-module-register.cjs', import.meta.url).pathname}`;

export interface LocalBridge {
  /** A fresh, empty sandbox. */
  connect(): Promise<Runtime>;
  /** A sandbox with the shop running on `files`. */
  boot(files: FileMap): Promise<Runtime>;
  close(): Promise<void>;
}

export interface BridgeOptions {
  /** More Node options for every sandbox process (the bridge already adds the browser-parity ones). */
  nodeOptions?: string[];
}

export async function startLocalBridge({ nodeOptions }: BridgeOptions = {}): Promise<LocalBridge> {
  const access = new LaunchAccess();
  const snapshot = await packagesSnapshot();
  const server: Server = createServer();
  const sandboxesDir = mkdtempSync(join(tmpdir(), 'ctl-lesson-sandboxes-'));
  const bridge: LocalRuntimeBridge = attachLocalRuntime(server, {
    refuseUpgrade: (req) => access.refuseUpgrade(req),
    sandboxesDir,
    snapshotsDir: snapshot.dir,
    nodeOptions,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  access.listeningOn(port);
  const url = `ws://127.0.0.1:${port}/__runtime`;
  const credentials = access.pageCredentials();
  const connect = () => connectLocalRuntime(url, credentials);
  return {
    connect,
    async boot(files) {
      const runtime = await connect();
      const output = { text: '' };
      const callbacks: BootCallbacks = {
        onProgress: () => {},
        onOutput: (chunk) => {
          output.text += chunk;
        },
      };
      try {
        await prepareSandbox(runtime, files, snapshot, callbacks);
        await startShop(runtime, callbacks);
      } catch (error) {
        await runtime.teardown();
        throw new Error(`${(error as Error).message}\n${output.text.slice(-3000)}`);
      }
      return runtime;
    },
    async close() {
      await bridge.close();
      server.close();
    },
  };
}

const BACKEND_SOURCE = /^backend\/src\//;
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

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
