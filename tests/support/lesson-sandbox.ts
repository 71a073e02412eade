/**
 * A lesson's sandbox booted exactly the way the workspace boots it (src/session/boot.ts), on the
 * local runtime behind a real bridge: the packages snapshot the browser mounts, the lesson's
 * files, no install, `npm run dev`, the shop serving. Shared by CI's checkpoint proof and the
 * check-duration bench; lesson files for browser tests.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachLocalRuntime, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { LaunchAccess } from '../../src/server/access.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { prepareSandbox, startShop, type BootCallbacks } from '../../src/session/boot.ts';
import { packagesSnapshot } from './packages-snapshot.ts';

const lessonsDir = new URL('../../content/lessons/', import.meta.url);

export const lessonIds = (): string[] => readdirSync(lessonsDir).filter((name) => /^\d\d-/.test(name)).sort();

/** One file of a lesson's overlay, e.g. lesson 6's shipped bug: lessonFile('06-something-broke', 'start', 'backend/src/inventory.ts'). */
export const lessonFile = (lesson: string, overlay: 'start' | 'solution', path: string): string =>
  readFileSync(new URL(`${lesson}/${overlay}/${path}`, lessonsDir), 'utf8');

/** Node as a WebContainer may provide it: no ESM loader hooks (see without-module-register.cjs). */
export const WITHOUT_MODULE_REGISTER = `--require ${new URL('./without-module-register.cjs', import.meta.url).pathname}`;

/** What the shop printed, per booted sandbox: to tell when a change restarted the backend. */
const shopOutput = new WeakMap<Runtime, { text: string }>();
const BACKEND_READY = /\[backend\]\s+Backend listening/g;
const countReady = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').match(BACKEND_READY)?.length ?? 0;

export interface LocalBridge {
  /** A fresh, empty sandbox. */
  connect(): Promise<Runtime>;
  /** A sandbox with the shop running on `files`. */
  boot(files: Record<string, string>): Promise<Runtime>;
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
  const bridge: LocalRuntimeBridge = attachLocalRuntime(server, { refuseUpgrade: (req) => access.refuseUpgrade(req), sandboxesDir, snapshotsDir: snapshot.dir, nodeOptions });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  access.listeningOn(port);
  const url = `ws://127.0.0.1:${port}/__runtime`;
  const connect = () => connectLocalRuntime(url, { headers: access.pageHeaders() });
  return {
    connect,
    async boot(files) {
      const runtime = await connect();
      const output = { text: '' };
      shopOutput.set(runtime, output);
      const callbacks: BootCallbacks = { onProgress: () => {}, onOutput: (chunk) => void (output.text += chunk) };
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

/**
 * Writes a lesson's solution into the running sandbox; when it changes the backend, waits until
 * `tsx watch` has restarted it (a new "Backend listening"), as a learner waits for the terminal.
 */
export async function writeSolution(runtime: Runtime, solution: Record<string, string>, timeoutMs = 30_000) {
  const output = shopOutput.get(runtime);
  const before = output ? countReady(output.text) : 0;
  for (const [path, contents] of Object.entries(solution)) await runtime.writeFile(path, contents);
  const backendChanged = Object.keys(solution).some((path) => path.startsWith('backend/'));
  if (!output || !backendChanged) return void (await new Promise((resolve) => setTimeout(resolve, 1000)));
  const deadline = Date.now() + timeoutMs;
  while (countReady(output.text) <= before) {
    if (Date.now() > deadline) throw new Error(`the backend did not restart within ${timeoutMs / 1000} s of the solution:\n${output.text.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
