/**
 * The local runtime's server side: attached to the course's own HTTP server, it turns each
 * authorised WebSocket into a sandbox Session. Refused: connections that are not from loopback,
 * pages from another origin, and anyone without this launch's token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL, RUNTIME_PATH, tokenProtocol, type ClientMessage, type ServerMessage } from './protocol.ts';
import { Session } from './session.ts';
import { SnapshotStore } from './snapshot-store.ts';
import { RuntimeError } from '../types.ts';

export function createLaunchToken(): string {
  return randomBytes(24).toString('hex');
}

export interface LocalRuntimeOptions {
  token: string;
  /** Origins whose pages may connect, e.g. http://localhost:4321. Browsers always send Origin. */
  allowedOrigins: string[];
  /** Where sandbox folders are made (default: the OS temp folder). */
  sandboxesDir?: string;
  /** npm's cache, shared by every sandbox (default: ~/.cache/checkout-trace-lab). */
  cacheDir?: string;
  /** Where the site's packages snapshots are (dist/sandbox/): sandboxes boot from them. */
  snapshotsDir: string;
  /** More Node options for every sandbox process, e.g. a preload that tests use. */
  nodeOptions?: string[];
}

/**
 * Every sandbox process runs under a WebContainer's constraints, so what works here works in the
 * browser: native addons cannot load, and napi-rs packages must use their WebAssembly builds.
 */
export const BROWSER_PARITY_ENV = { NODE_OPTIONS: '--no-addons', NAPI_RS_FORCE_WASI: 'error' } as const;

const isLoopback = (address: string | undefined) => !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));

function sameToken(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why an upgrade is refused, or null when it may proceed. */
function refusal(req: IncomingMessage, options: LocalRuntimeOptions): string | null {
  if (!isLoopback(req.socket.remoteAddress)) return 'only loopback connections are accepted';
  const origin = req.headers.origin;
  if (origin !== undefined && !options.allowedOrigins.includes(origin)) return `origin ${origin} is not allowed`;
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(PROTOCOL)) return 'unknown protocol';
  const token = offered.find((p) => p.startsWith('token.'))?.slice('token.'.length);
  if (!token || !sameToken(tokenProtocol(token), tokenProtocol(options.token))) return 'missing or wrong token';
  return null;
}

export interface LocalRuntimeBridge {
  /** Live sessions' folders, for diagnostics and tests. */
  sessions: () => string[];
  close: () => Promise<void>;
}

export function attachLocalRuntime(server: Server, options: LocalRuntimeOptions): LocalRuntimeBridge {
  const cacheDir = options.cacheDir ?? join(homedir(), '.cache', 'checkout-trace-lab');
  const sandboxesDir = options.sandboxesDir ?? tmpdir();
  mkdirSync(sandboxesDir, { recursive: true });
  const snapshots = new SnapshotStore(options.snapshotsDir);
  const env = { ...BROWSER_PARITY_ENV, NODE_OPTIONS: [BROWSER_PARITY_ENV.NODE_OPTIONS, ...(options.nodeOptions ?? [])].join(' ') };
  const sessions = new Set<Session>();
  const sockets = new WebSocketServer({ noServer: true, handleProtocols: () => PROTOCOL, maxPayload: 64 * 1024 * 1024 });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== RUNTIME_PATH) return;
    const refused = refusal(req, options);
    if (refused) {
      console.warn(`[runtime] refused a connection: ${refused}`);
      socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${refused}\n`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, open);
  });

  function open(ws: WebSocket) {
    const send = (message: ServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(message));
    // Messages can arrive before the folder exists: every handler waits for the session.
    const ready = mkdtemp(join(sandboxesDir, 'ctl-sandbox-')).then((folder) => {
      const session = new Session({ folder, send, npmCacheDir: join(cacheDir, 'npm'), snapshots, env });
      sessions.add(session);
      return session;
    });
    ws.on('message', async (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(String(data)) as ClientMessage;
      } catch {
        return;
      }
      const session = await ready;
      if (!('id' in message)) return session.command(message);
      session.handle(message).then(
        (result) => send({ id: message.id, ok: true, result }),
        (error: unknown) => {
          const known = error instanceof RuntimeError;
          send({ id: message.id, ok: false, error: { code: known ? error.code : 'io', message: error instanceof Error ? error.message : String(error) } });
        },
      );
    });
    ws.on('close', async () => {
      const session = await ready;
      sessions.delete(session);
      await session.end();
    });
  }

  const onExit = () => {
    for (const session of sessions) session.endNow();
  };
  process.on('exit', onExit);

  return {
    sessions: () => [...sessions].map((session) => session.folder),
    close: async () => {
      process.off('exit', onExit);
      await Promise.all([...sessions].map((session) => session.end()));
      sockets.close();
    },
  };
}
