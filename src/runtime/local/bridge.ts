/**
 * The local runtime's server side: attached to the course's own HTTP server, it turns each
 * authorised WebSocket into a LocalSandbox. Refused: connections that are not from loopback,
 * and whatever `refuseUpgrade` refuses (src/server/access.ts: no key of a live session, a foreign
 * Origin or Host, no Origin at all). Every message is checked against the protocol's schema and
 * answered on its own: a bad one gets an error back, never takes the server down. Every sandbox
 * process runs with the sandbox guard preloaded (sandbox-guard.cjs): its servers answer only to
 * the learner's programs, and it talks to the shop's ports only when the learner's programs hold them.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, Server } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';

import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { startGuardian } from './guardian.ts';
import { Outbox } from './outbox.ts';
import { ownIdentity } from './process-identity.ts';
import { CLOSE_SIGNED_OUT, CLOSE_TAKEN_OVER, PROTOCOL, RUNTIME_PATH, clientMessage, type Request, type Result, type Resumed } from './protocol.ts';
import { defaultSandboxesDir, makeSandboxFolder, reapStaleSandboxes } from './sandbox-folders.ts';
import { listenerOn } from './sandbox-processes.ts';
import { LocalSandbox } from './local-sandbox.ts';
import { ShopLock } from './shop-lock.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { RuntimeError } from '../types.ts';

export interface LocalRuntimeOptions {
  /** Why an upgrade request may not connect, or null: the server's access rules (src/server/access.ts). */
  refuseUpgrade: (req: IncomingMessage) => string | null;
  /** Where sandbox folders are made (default: a private folder per user in the OS temp folder). */
  sandboxesDir?: string;
  /** npm's cache, shared by every sandbox (default: ~/.cache/checkout-trace-lab). */
  cacheDir?: string;
  /** Where the site's packages snapshots are (dist/sandbox/): sandboxes boot from them. */
  snapshotsDir: string;
  /** More Node options for every sandbox process, e.g. a preload that tests use. */
  nodeOptions?: string[];
  /** How long a sandbox outlives its page, for a reload to take it back (default 30 s). */
  reloadGraceMs?: number;
}

/**
 * Every sandbox process runs under a WebContainer's constraints, so what works here works in the
 * browser: native addons cannot load, napi-rs packages must use their WebAssembly builds, and
 * there are no ESM loader hooks (webcontainer-parity.mjs). The snapshot is written without file
 * modes and symlinks (snapshot-store.ts), as `mount()` writes it.
 */
const PARITY_PRELOAD = new URL('./webcontainer-parity.mjs', import.meta.url).href;
export const BROWSER_PARITY_ENV = { NODE_OPTIONS: `--no-addons --import ${PARITY_PRELOAD}`, NAPI_RS_FORCE_WASI: 'error' } as const;

/**
 * Preloaded into every sandbox process: see sandbox-guard.cjs. By --import, as the parity preload:
 * a --require'd one reads the package.json of the folder the process runs in, and a learner's
 * broken one would stop every process before npm could say why.
 */
export const SANDBOX_GUARD = new URL('./sandbox-guard.cjs', import.meta.url).href;
/** Preloaded into every sandbox process: how far V8 optimises, see v8-tiers.mjs. */
export const V8_TIERS = new URL('./v8-tiers.mjs', import.meta.url).href;

/**
 * npm's cache (and its `_logs`, which name the learner's paths and commands) is the learner's
 * alone: made, or made again, readable by no one else.
 */
function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  const mine = typeof process.getuid !== 'function' || info.uid === process.getuid();
  if (mine && (info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * The largest message a page may send: a file to write (the editor opens files up to 8 MB), the
 * lesson's files to mount. A larger one closes the connection (1009), before it is read whole.
 */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** How often a holder checks that no other course server took the shop over. */
const HOLDER_CHECK_MS = 1000;
/** How long a claim waits for the shop's ports to free up (a sandbox that was just ended lets go of them). */
const PORTS_WAIT_MS = 5000;

/** The default sandboxes folder, or the private one used instead (said in the server's output). */
function chosenSandboxesDir(): string {
  const { dir, notice } = defaultSandboxesDir();
  if (notice) console.warn(`[runtime] ${notice}`);
  return dir;
}

/** Who holds the first of `ports` that another program listens on, waiting a little for ports being let go. */
async function portTaken(ports: number[]): Promise<string | null> {
  const deadline = Date.now() + PORTS_WAIT_MS;
  for (;;) {
    const listeners = await Promise.all(ports.map(async (port) => ({ port, listener: await listenerOn(port) })));
    const held = listeners.find(({ listener }) => listener);
    if (!held) return null;
    if (Date.now() >= deadline) {
      const { pid, command, owner } = held.listener!;
      if (owner) {
        // Not the learner's to stop: say whose it is, and what else works.
        const which = pid ? ` (pid ${pid}: ${command})` : '';
        return (
          `The shop needs port ${held.port}, and a program of ${owner} on this computer listens on it${which}. The shop never talks to another ` +
          `user's program: ask them to stop it, or run the shop in your browser instead (WebContainers), then press \u201cTry again\u201d.`
        );
      }
      const who = pid ? `pid ${pid}: ${command}` : 'a program this account cannot see';
      return (
        `The shop needs port ${held.port}, and another program on this computer listens on it (${who}). Stop that program, then press \u201cTry ` +
        `again\u201d.`
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const isLoopback = (address: string | undefined) => !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

/** Why an upgrade is refused, or null when it may proceed. */
function refusal(req: IncomingMessage, options: LocalRuntimeOptions): string | null {
  if (!isLoopback(req.socket.remoteAddress)) return 'only loopback connections are accepted';
  const refused = options.refuseUpgrade(req);
  if (refused) return refused;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(PROTOCOL)) return `unknown protocol: this server speaks ${PROTOCOL} (reload the page)`;
  return null;
}

function answerUpgrade(socket: Duplex, status: string, reason: string) {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${reason}\n`);
}

/** The id of a message that failed the schema, when it has a usable one to answer. */
function idOf(raw: unknown): number | null {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

export interface LocalRuntimeBridge {
  /** Live sessions' folders, for diagnostics and tests. */
  sessions: () => string[];
  /** Ends every connection and its sandbox, telling each page why (signing every browser out). */
  closeAll: (reason: string) => void;
  close: () => Promise<void>;
}

interface Connection {
  id: string;
  ws: WebSocket;
  outbox: Outbox;
  session: LocalSandbox | null;
  /** The sandbox's own id, which the machine's shop lock names; it moves with the sandbox to a reloaded page. */
  sandboxId: string | null;
  /** The page asked to keep its sandbox across a reload; the secret its tab keeps to take it back. */
  resumeToken: string | null;
}

/** A sandbox whose page went away (a reload, most likely), kept running for a moment. */
interface Waiting {
  connection: Connection;
  timer: ReturnType<typeof setTimeout>;
}

/** How long a sandbox outlives its page by default: a reload re-attaches well within it. */
const RELOAD_GRACE_MS = 30_000;

const same = (offered: string, expected: string) => {
  const [a, b] = [Buffer.from(offered), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

export function attachLocalRuntime(server: Server, options: LocalRuntimeOptions): LocalRuntimeBridge {
  const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'checkout-trace-lab');
  privateFolder(cacheDir);
  const sandboxesDir = options.sandboxesDir ?? chosenSandboxesDir();
  // Names this bridge's sandboxes: which server made them (to reap them once it is gone), and which bridge.
  const owner = `${ownIdentity()}-${randomUUID().slice(0, 8)}`;
  const reaped = reapStaleSandboxes(sandboxesDir).then(
    (stale) => stale.length && console.log(`[runtime] removed ${stale.length} sandbox(es) left by a course server that did not stop cleanly`),
    (error: unknown) => console.warn('[runtime] could not remove stale sandboxes:', error),
  );
  const guardian = startGuardian(sandboxesDir, owner);
  const snapshots = new SnapshotStore(options.snapshotsDir);
  const env = {
    ...BROWSER_PARITY_ENV,
    NODE_OPTIONS: [BROWSER_PARITY_ENV.NODE_OPTIONS, `--import ${SANDBOX_GUARD}`, `--import ${V8_TIERS}`, ...(options.nodeOptions ?? [])].join(' '),
  };
  const connections = new Map<string, Connection>();
  /** Sandboxes waiting for their reloaded page, by sandbox id. */
  const waiting = new Map<string, Waiting>();
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: () => PROTOCOL, maxPayload: MAX_MESSAGE_BYTES });

  /** Every connection with a sandbox, and every sandbox waiting for its page. */
  const holders = () => [...connections.values(), ...[...waiting.values()].map(({ connection }) => connection)];
  const live = () => holders().filter((c) => c.session && !c.session.ending);
  const bySandbox = (id: string) => holders().find((c) => c.sandboxId === id);
  const lock = new ShopLock(sandboxesDir, owner, {
    isLive: (id) => Boolean(bySandbox(id)?.session && !bySandbox(id)!.session!.ending),
    end: (id) => end(bySandbox(id), 'Another tab of this course took over the shop.'),
  });

  // A holder whose claim another course server took over ends its sandbox.
  const watchHolder = setInterval(() => {
    for (const connection of live()) {
      if (connection.sandboxId && !lock.holds(connection.sandboxId)) void end(connection, 'Another course server on this computer took over the shop.');
    }
  }, HOLDER_CHECK_MS);
  watchHolder.unref();

  async function end(connection: Connection | undefined, takenOver?: string) {
    if (!connection) return;
    if (connection.sandboxId) {
      clearTimeout(waiting.get(connection.sandboxId)?.timer);
      waiting.delete(connection.sandboxId);
    }
    if (takenOver && connection.ws.readyState === connection.ws.OPEN) connection.ws.close(CLOSE_TAKEN_OVER, takenOver);
    await connection.session?.end();
    if (connection.sandboxId) lock.release(connection.sandboxId);
  }

  /** The page went away, its sandbox kept for a reload to take back; unclaimed, it ends. */
  function keepForReload(connection: Connection) {
    connection.session!.detach();
    const timer = setTimeout(() => void end(connection), options.reloadGraceMs ?? RELOAD_GRACE_MS);
    timer.unref();
    waiting.set(connection.sandboxId!, { connection, timer });
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      // This server has no other WebSockets: anything else gets a clear no, not a hanging socket.
      if (pathOf(req.url) !== RUNTIME_PATH) return answerUpgrade(socket, '404 Not Found', 'no WebSocket here');
      const refused = refusal(req, options);
      if (refused) {
        console.warn(`[runtime] refused a connection: ${refused}`);
        return answerUpgrade(socket, '403 Forbidden', refused);
      }
      sockets.handleUpgrade(req, socket, head, (ws) => open(ws, `http://${req.headers.host}`));
    } catch (error) {
      console.error('[runtime] could not answer an upgrade:', error);
      socket.destroy();
    }
  });

  function open(ws: WebSocket, serverUrl: string) {
    const connection: Connection = { id: randomUUID(), ws, outbox: new Outbox(ws), session: null, sandboxId: null, resumeToken: null };
    connections.set(connection.id, connection);
    let claiming: Promise<LocalSandbox> | null = null;
    let reads: Promise<void> = Promise.resolve();

    const claim = (label: string, ports: number[], keep: boolean) =>
      (claiming ??= (async () => {
        await reaped;
        // A sandbox whose page went away and has not come back has no tab to name: a new page takes its place.
        await Promise.all([...waiting.values()].map(({ connection: left }) => end(left)));
        // A session of this server that is still ending (a reload, a retry) is waited for: its ports free up.
        await Promise.race([
          Promise.all([...connections.values()].filter((c) => c !== connection && c.session?.ending).map((c) => c.session!.end())),
          new Promise((resolve) => setTimeout(resolve, 5000)),
        ]);
        const folder = await makeSandboxFolder(sandboxesDir, owner);
        const sandboxId = randomUUID();
        try {
          lock.claim({ session: sandboxId, label, ports, url: serverUrl, folder });
          // No course sandbox holds the shop: whatever else listens on its ports would half-break it.
          const taken = await portTaken(ports);
          if (taken) throw new RuntimeError(taken, 'port-in-use');
        } catch (error) {
          lock.release(sandboxId);
          await rm(folder, { recursive: true, force: true });
          throw error;
        }
        connection.sandboxId = sandboxId;
        connection.resumeToken = keep ? randomBytes(24).toString('base64url') : null;
        // The guard in its processes talks to the shop's ports only where the learner's programs listen.
        const sessionEnv = { ...env, CTL_SHOP_PORTS: ports.join(',') };
        connection.session = new LocalSandbox({ folder, outbox: connection.outbox, guardian, npmCacheDir: join(cacheDir, 'npm'), snapshots, env: sessionEnv });
        if (ws.readyState !== ws.OPEN) void end(connection);
        return connection.session;
      })().catch((error: unknown) => {
        claiming = null;
        throw error;
      }));

    /** A reloaded page takes back the sandbox its earlier self claimed: the same tab's token, within the grace period. */
    async function resume(sandboxId: string, token: string): Promise<Resumed> {
      const kept = waiting.get(sandboxId);
      if (connection.session || claiming || !kept?.connection.resumeToken || !same(token, kept.connection.resumeToken)) {
        throw new RuntimeError('There is no sandbox to re-attach to: it ended after its page went away.', 'not-found');
      }
      clearTimeout(kept.timer);
      waiting.delete(sandboxId);
      Object.assign(connection, { session: kept.connection.session, sandboxId, resumeToken: kept.connection.resumeToken });
      claiming = Promise.resolve(connection.session!);
      return connection.session!.attach(connection.outbox);
    }

    async function answer(message: Request): Promise<Result> {
      if (message.op === 'claim') {
        await claim(message.label, message.ports, message.keepForReload);
        return connection.resumeToken ? { sandboxId: connection.sandboxId!, token: connection.resumeToken } : null;
      }
      if (message.op === 'resume') return resume(message.sandboxId, message.token);
      if (message.op === 'takeOver') return lock.takeOver().then(() => null);
      if (message.op === 'label') {
        if (connection.sandboxId) lock.relabel(connection.sandboxId, message.label);
        return null;
      }
      const session = connection.session ?? (claiming && (await claiming));
      if (!session) throw new RuntimeError('This connection has no sandbox yet: send `claim` first.', 'invalid-request');
      return session.handle(message);
    }

    async function receive(data: RawData) {
      let raw: unknown;
      try {
        raw = JSON.parse(String(data));
      } catch {
        return connection.outbox.send({ event: 'invalid-message', message: 'A message that is not JSON was ignored.' });
      }
      const parsed = clientMessage.safeParse(raw);
      if (!parsed.success) {
        const message = `The runtime could not accept this message:\n${z.prettifyError(parsed.error)}`;
        const id = idOf(raw);
        if (id === null) return connection.outbox.send({ event: 'invalid-message', message });
        return connection.outbox.send({ id, ok: false, error: { code: 'invalid-request', message } });
      }
      const message = parsed.data;
      if (!('id' in message)) return connection.session?.command(message);
      if (message.op !== 'readFile') return respond(message);
      // Files are read one at a time, and only once the page has taken the last one: a page that
      // asks for many large files and reads none holds one of them here, not all.
      reads = reads.then(async () => {
        if (connection.outbox.congested) await connection.outbox.drained();
        await respond(message);
      });
    }

    async function respond(message: Request) {
      try {
        connection.outbox.send({ id: message.id, ok: true, result: await answer(message) });
      } catch (error) {
        const known = error instanceof RuntimeError;
        if (!known) console.warn(`[runtime] ${message.op} failed:`, error);
        connection.outbox.send({
          id: message.id,
          ok: false,
          error: { code: known ? error.code : 'io', message: error instanceof Error ? error.message : String(error) },
        });
      }
    }

    ws.on('message', (data) => {
      receive(data).catch((error: unknown) => console.error('[runtime] a message could not be handled:', error));
    });
    ws.on('error', () => undefined); // 'close' follows
    ws.on('close', (code) => {
      void (async () => {
        await claiming?.catch(() => undefined);
        connections.delete(connection.id);
        // A page that asked for it keeps its sandbox for a reload; one ended on purpose does not.
        const keep = connection.resumeToken && connection.session && !connection.session.ending && code !== CLOSE_TAKEN_OVER && code !== CLOSE_SIGNED_OUT;
        if (keep) keepForReload(connection);
        else await end(connection);
      })().catch((error: unknown) => console.error('[runtime] could not end a sandbox:', error));
    });
  }

  const onExit = () => {
    for (const { session } of holders()) session?.endNow();
  };
  process.on('exit', onExit);

  return {
    sessions: () => holders().flatMap(({ session }) => (session ? [session.folder] : [])),
    closeAll: (reason) => {
      for (const { ws } of connections.values()) if (ws.readyState === ws.OPEN) ws.close(CLOSE_SIGNED_OUT, reason);
      for (const { connection } of waiting.values()) void end(connection);
    },
    close: async () => {
      process.off('exit', onExit);
      clearInterval(watchHolder);
      await Promise.all(holders().map((connection) => end(connection)));
      sockets.close();
      guardian.close();
    },
  };
}
