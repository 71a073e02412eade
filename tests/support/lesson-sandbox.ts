/**
 * A lesson's sandbox booted exactly the way the workspace boots it (src/session/boot.ts), on the
 * local runtime behind a real bridge: the packages snapshot the browser mounts, the lesson's
 * files, no install, `npm run dev`, the shop serving. Shared by CI's checkpoint proof and the
 * check-duration bench; lesson files for browser tests.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { attachLocalRuntime, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { LaunchAccess } from '../../src/server/access.ts';
import { lessonSandbox, type WorkspaceSettings } from '../../src/lessons/sandbox-files.ts';
import { FORWARD_SETTINGS, forwardSettings } from '../../src/session/sentry-forwarding.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import type { FileMap, Runtime } from '../../src/runtime/types.ts';
import { prepareSandbox, startShop, type BootCallbacks, type RunningShop } from '../../src/session/boot.ts';
import { BACKEND, sourcesMatch, statusFile, type PartStatus } from '../../src/sandbox/shop.ts';
import { packagesSnapshot } from './packages-snapshot.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

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

export interface BootedSandbox {
  runtime: Runtime;
  /** The running shop (`node scripts/dev.mjs`): kill it and start it again as Restart does. */
  shop: RunningShop;
  /** Everything the boot and the shop printed so far. */
  output(): string;
}

export interface LocalBridge {
  /** A fresh, empty sandbox. */
  connect(): Promise<Runtime>;
  /** A sandbox with the shop running on `files`. */
  boot(files: FileMap): Promise<BootedSandbox>;
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
  const sandboxesDir = mkdtempSync(join(scratchDir(), 'ctl-lesson-sandboxes-'));
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
        const shop = await startShop(runtime, callbacks);
        return { runtime, shop, output: () => output.text };
      } catch (error) {
        await runtime.teardown();
        throw new Error(`${(error as Error).message}\n${output.text.slice(-3000)}`);
      }
    },
    async close() {
      await bridge.close();
      server.close();
    },
  };
}

/** The longest a backend restart may take on a very busy machine; it reports each step, so this is only a ceiling. */
const RESTART_CEILING_MS = 60_000;

/**
 * Resolves once the shop's backend runs `files` or has failed on them (a variant with a syntax
 * error: the checks then say so), as the backend's own status (scripts/lib/status.mjs) reports it.
 */
export async function backendSettled(runtime: Runtime, files: FileMap): Promise<PartStatus> {
  const deadline = Date.now() + RESTART_CEILING_MS;
  for (;;) {
    const status = await runtime.readFile(statusFile(BACKEND)).then(
      (text) => JSON.parse(text) as PartStatus,
      () => null,
    );
    if (status && status.state !== 'building' && status.state !== 'starting' && sourcesMatch(status, files)) return status;
    if (Date.now() > deadline)
      throw new Error(`The backend did not settle on the files written within ${RESTART_CEILING_MS / 1000} s: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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

  /**
   * With `waitForShop: false` it returns as soon as the files are written, as a learner may press
   * Check. `settings`: what the learner set in the workspace (none unless given), written as the workspace writes it.
   */
  async become(next: FileMap, { waitForShop = true, settings = {} as WorkspaceSettings } = {}): Promise<void> {
    const written = Object.keys(next).filter((path) => this.#current[path] !== next[path]);
    const removed = Object.keys(this.#current).filter((path) => !(path in next));
    for (const path of written) await this.#runtime.writeFile(path, next[path]!);
    for (const path of removed) await this.#runtime.rm(path);
    await this.#runtime.writeFile(FORWARD_SETTINGS, forwardSettings(settings.sentryDsn));
    this.#current = { ...next };
    if (waitForShop) await backendSettled(this.#runtime, next);
  }
}
