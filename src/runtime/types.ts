/**
 * The contract every sandbox runtime honours: the WebContainer adapter in the browser and the
 * local runtime (real Node processes behind the site's own server). The workspace only ever talks
 * to this interface, and one contract test suite (tests/runtime/contract.ts) runs against each
 * implementation.
 *
 * Paths are POSIX, relative to the sandbox root ("backend/src/inventory.ts"). Absolute paths,
 * `..` segments and symlinks that leave the sandbox are refused with a RuntimeError.
 */
import type { PackagesManifest } from '../snapshot/manifest.ts';

/** A file tree to mount: a string is a UTF-8 file, a nested object a folder. */
export interface FileTree {
  [name: string]: string | FileTree;
}

/** Files by path (POSIX, relative to the sandbox root) → their UTF-8 contents. */
export type FileMap = Record<string, string>;

export interface DirEntry {
  name: string;
  kind: 'file' | 'directory';
}

export type Unsubscribe = () => void;

export interface SpawnOptions {
  /** Working folder, relative to the sandbox root. Defaults to the root. */
  cwd?: string;
  env?: Record<string, string>;
  /** Run attached to a pseudo-terminal of this size (for the learner's shell). */
  terminal?: { cols: number; rows: number };
  /** What the page calls this process (the shop, the shell): a reloaded page finds it by this name (`Runtime.resumed`). */
  name?: string;
}

export interface SandboxProcess {
  /** Everything the process prints (stdout and stderr interleaved, as a terminal shows it). */
  readonly output: ReadableStream<string>;
  /** Resolves with the exit code once the process has ended. */
  readonly exit: Promise<number>;
  write(data: string): void;
  resize(size: { cols: number; rows: number }): void;
  kill(): void;
}

export type FileChange = { kind: 'change' | 'rename'; path: string };

/** What `watch` never reports: installed packages and git's store, where changes are not the learner's. */
export const isUnwatched = (path: string): boolean => /(^|\/)(node_modules|\.git)(\/|$)/.test(path);

/** The shop's installed packages as one prebuilt artifact (see src/snapshot/). */
export interface PackagesSnapshot {
  /** Where the browser fetches it. */
  url: string;
  manifest: PackagesManifest;
}

/** Something went wrong outside any one call: the runtime itself, or a page in the preview. */
export interface RuntimeFailure {
  source: 'runtime' | 'preview';
  message: string;
}

export interface Runtime {
  readonly kind: 'webcontainer' | 'local';
  mount(tree: FileTree): Promise<void>;
  /** Mounts the packages snapshot (node_modules) into a fresh sandbox; reports 0..1 as it goes. */
  mountSnapshot(snapshot: PackagesSnapshot, onProgress?: (fraction: number) => void): Promise<void>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, contents: string): Promise<void>;
  rm(path: string): Promise<void>;
  readdir(path: string): Promise<DirEntry[]>;
  /** Watch a folder recursively; the listener gets paths relative to the sandbox root. */
  watch(path: string, listener: (change: FileChange) => void): Unsubscribe;
  spawn(command: string, args: string[], options?: SpawnOptions): Promise<SandboxProcess>;
  /** The learner's interactive shell in the sandbox root, on a pseudo-terminal of this size. */
  openShell(size: { cols: number; rows: number }, name?: string): Promise<SandboxProcess>;
  /** Called whenever a process in the sandbox starts serving HTTP on a port. */
  onServerReady(listener: (port: number, url: string) => void): Unsubscribe;
  /** Failures no call returns: the runtime breaking or disconnecting, an error in a previewed page. */
  onFailure(listener: (failure: RuntimeFailure) => void): Unsubscribe;
  /**
   * Names this page to whoever finds the sandbox busy (the local runtime's one shop per machine),
   * when the page moves to another lesson. A runtime with no such lock has none.
   */
  label?(label: string): Promise<void>;
  /** Kill every process and release the sandbox. Safe to call twice. */
  teardown(): Promise<void>;
  /**
   * A sandbox taken back after the page reloaded (the local runtime keeps it running for a
   * moment): its processes that were spawned with a `name` and still run, each replaying the end
   * of what it printed. Null for a sandbox this page started.
   */
  readonly resumed?: ReadonlyMap<string, SandboxProcess> | null;
}

/**
 * What went wrong, in words a learner can act on. `busy`: this machine's sandbox runs for another
 * tab or course server (the shop's ports are fixed); `port-in-use`: another program holds one of
 * them; `invalid-request`: a message the runtime could not accept as sent.
 */
export type RuntimeErrorCode =
  | 'path-outside-sandbox'
  | 'not-found'
  | 'unauthorized'
  | 'disconnected'
  | 'spawn-failed'
  | 'io'
  | 'busy'
  | 'port-in-use'
  | 'invalid-request';

export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;
  constructor(message: string, code: RuntimeErrorCode) {
    super(message);
    this.name = 'RuntimeError';
    this.code = code;
  }
}
