/**
 * The local runtime's wire protocol: JSON messages over one WebSocket per page. The client sends
 * requests (with an id, answered once) and process/fs commands (no answer); the bridge pushes
 * events. Shared by both sides so they cannot drift apart.
 */
import type { DirEntry, FileTree, RuntimeErrorCode, SpawnOptions } from '../types.ts';

export const RUNTIME_PATH = '/__runtime';
/** The token travels as a WebSocket subprotocol, so it never appears in a URL or a log line. */
export const PROTOCOL = 'ctl-runtime-v1';
export const tokenProtocol = (token: string) => `token.${token}`;

export type RequestBody =
  | { op: 'mount'; tree: FileTree }
  | { op: 'mountSnapshot'; file: string }
  | { op: 'readFile'; path: string }
  | { op: 'writeFile'; path: string; contents: string }
  | { op: 'rm'; path: string }
  | { op: 'readdir'; path: string }
  | { op: 'watch'; path: string; watchId: number }
  | { op: 'unwatch'; watchId: number }
  | { op: 'spawn'; processId: number; command: string; args: string[]; options: SpawnOptions }
  | { op: 'teardown' };

export type Request = RequestBody & { id: number };

export type Command =
  | { op: 'stdin'; processId: number; data: string }
  | { op: 'resize'; processId: number; cols: number; rows: number }
  | { op: 'kill'; processId: number };

export type ClientMessage = Request | Command;

export type Result = string | DirEntry[] | null;

export type ServerMessage =
  | { id: number; ok: true; result: Result }
  | { id: number; ok: false; error: { code: RuntimeErrorCode; message: string } }
  | { event: 'output'; processId: number; data: string }
  | { event: 'exit'; processId: number; code: number }
  | { event: 'server-ready'; port: number; url: string }
  | { event: 'watch'; watchId: number; kind: 'change' | 'rename'; path: string };
