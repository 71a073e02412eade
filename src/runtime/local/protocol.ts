/**
 * The local runtime's wire protocol: JSON messages over one WebSocket per page. The client sends
 * requests (with an id, answered once) and process commands (no answer); the bridge pushes
 * events. Shared by both sides so they cannot drift apart; the bridge checks every message it
 * receives against `clientMessage` before acting on it.
 */
import { z } from 'zod';
import type { DirEntry, FileTree, RuntimeErrorCode } from '../types.ts';

export const RUNTIME_PATH = '/__runtime';
/** Bumped when messages or the handshake change, so a page from an older server is refused instead of misread. */
export const PROTOCOL = 'ctl-runtime-v5';
/**
 * The page proves its session with a key in the handshake, offered as a second subprotocol
 * `ctl-key.<key>` beside PROTOCOL (a browser's WebSocket can send no other header): Kubernetes'
 * `base64url.bearer.authorization.k8s.io.<token>` and Jupyter's `v1.token.websocket.jupyter.org.<token>`
 * do the same. The bridge answers with PROTOCOL alone.
 */
export const KEY_PROTOCOL_PREFIX = 'ctl-key.';
/** Where the course's pages keep that key: their origin's localStorage, which no other port can read. */
export const KEY_STORAGE_ITEM = 'ctl-runtime-key';

/** WebSocket close codes the bridge uses to say why a sandbox ended (4000-4999 are for applications). */
export const CLOSE_TAKEN_OVER = 4001;
/** The learner signed every browser out (in the terminal of `npm start`). */
export const CLOSE_SIGNED_OUT = 4002;

/** The most input one stdin message carries. */
export const STDIN_CHUNK = 256 * 1024;

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** Sandbox paths are checked (relative, no `..`, no NUL) where they are used: see sandbox-path.ts. */
const path = z.string().max(4096);
const text = z
  .string()
  .max(64 * 1024)
  .refine((value) => !value.includes('\0'), 'must not contain NUL');
const terminalSize = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });

export const fileTree: z.ZodType<FileTree> = z.lazy(() => z.record(z.string().max(255), z.union([z.string(), fileTree])));

const request = <Shape extends z.core.$ZodLooseShape>(shape: Shape) => z.object({ id: count, ...shape });
const command = <Shape extends z.core.$ZodLooseShape>(shape: Shape) => z.object({ processId: count, ...shape });

const sandboxId = z.string().max(100);

export const clientMessage = z.discriminatedUnion('op', [
  /**
   * The first request of every page: it asks for this machine's one sandbox (the shop's ports are
   * fixed). With `keepForReload`, the sandbox outlives the page's connection for a moment, and
   * the answer says how to re-attach to it (`resume`).
   */
  request({
    op: z.literal('claim'),
    label: z.string().max(200),
    ports: z.array(z.number().int().min(1).max(65535)).max(20).default([]),
    keepForReload: z.boolean().default(false),
  }),
  /** A reloaded page takes back the sandbox its earlier self claimed, processes running. */
  request({ op: z.literal('resume'), sandboxId, token: z.string().max(200) }),
  /** Renames the claim (the page moved to another lesson), so a second tab names it as it is now. */
  request({ op: z.literal('label'), label: z.string().max(200) }),
  /** Ends whichever session holds this machine's sandbox, so the next claim gets it. */
  request({ op: z.literal('takeOver') }),
  request({ op: z.literal('mount'), tree: fileTree }),
  request({ op: z.literal('mountSnapshot'), file: z.string().max(200) }),
  request({ op: z.literal('readFile'), path }),
  request({ op: z.literal('writeFile'), path, contents: z.string() }),
  request({ op: z.literal('rm'), path }),
  request({ op: z.literal('readdir'), path }),
  request({ op: z.literal('watch'), path, watchId: count }),
  request({ op: z.literal('unwatch'), watchId: count }),
  request({
    op: z.literal('spawn'),
    processId: count,
    command: text.min(1),
    args: z.array(text).max(1000),
    options: z.object({
      cwd: path.optional(),
      env: z.record(text, text).optional(),
      terminal: terminalSize.optional(),
      name: z.string().max(50).optional(),
    }),
  }),
  request({ op: z.literal('teardown') }),
  /** Input in pieces of at most STDIN_CHUNK characters (the client splits a long paste). */
  command({ op: z.literal('stdin'), data: z.string().max(STDIN_CHUNK) }),
  command({ op: z.literal('resize'), ...terminalSize.shape }),
  command({ op: z.literal('kill') }),
]);

export type ClientMessage = z.infer<typeof clientMessage>;
export type Request = Extract<ClientMessage, { id: number }>;
export type Command = Exclude<ClientMessage, { id: number }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
export type RequestBody = WithoutId<Request>;

/** How a page re-attaches to the sandbox it claimed (kept in that tab's sessionStorage). */
export interface Claimed {
  sandboxId: string;
  token: string;
}

/** A re-attached sandbox: its named processes still running, with the end of what each printed, and its servers. */
export interface Resumed {
  processes: { processId: number; name: string; output: string }[];
  servers: { port: number; url: string }[];
}

export type Result = string | DirEntry[] | Claimed | Resumed | null;

export type ServerMessage =
  | { id: number; ok: true; result: Result }
  | { id: number; ok: false; error: { code: RuntimeErrorCode; message: string } }
  | { event: 'output'; processId: number; data: string }
  | { event: 'exit'; processId: number; code: number }
  | { event: 'server-ready'; port: number; url: string }
  | { event: 'watch'; watchId: number; kind: 'change' | 'rename'; path: string }
  /** A message the bridge could not read and had no id to answer. */
  | { event: 'invalid-message'; message: string };
