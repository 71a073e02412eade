/**
 * One sandbox of the local runtime: a temporary folder with real processes, owned by one
 * WebSocket at a time (a reloaded page takes it over: `attach`). Everything it touches stays
 * inside its folder; everything it starts ends with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { basename, delimiter, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { mkdirInside, readInside, resolveForWrite, resolveInside, writeInside } from './confine.ts';
import type { Guardian } from './guardian.ts';
import type { Outbox } from './outbox.ts';
import { startPreviewProxy, type PreviewProxy } from './preview-proxy.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import { killGroupNow, killTree } from './process-tree.ts';
import { ptyAvailable, ptyCommand, resizePty } from './pty.ts';
import { OutputTail } from './output-tail.ts';
import type { Command, RequestBody, Result, Resumed } from './protocol.ts';
import { SANDBOX_MARKER, sandboxListensOn } from './sandbox-processes.ts';
import { isUnwatched, RuntimeError, type FileTree } from '../types.ts';

/** The most input held for one process that is not reading it (a paste into a busy shell fits). */
export const STDIN_BACKLOG = 4 * 1024 * 1024;

/** Servers announce themselves ("Local: http://localhost:5173/"); ANSI colours are stripped first. */
const ANNOUNCED_PORT = /(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{2,5})/g;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** What a session itself answers; claiming the sandbox is the bridge's. */
export type SandboxRequest = Exclude<RequestBody, { op: 'claim' | 'takeOver' | 'resume' | 'label' }>;

export interface LocalSandboxOptions {
  folder: string;
  /** Where its messages go; it pauses process output while the outbox is congested. */
  outbox: Outbox;
  /** Told about every process group, to kill them should the server die without cleaning up. */
  guardian: Guardian;
  npmCacheDir: string;
  snapshots: SnapshotStore;
  /** Added to every process's environment (the browser-parity flags, see bridge.ts). */
  env: Record<string, string>;
}

export class LocalSandbox {
  readonly folder: string;
  #options: LocalSandboxOptions;
  #processes = new Map<number, ChildProcess>();
  #ptys = new Set<number>();
  #watchers = new Map<number, FSWatcher>();
  #proxies = new Map<number, Promise<PreviewProxy>>();
  /** Processes the page named (the shop, the shell…), with the end of their output, for a page that re-attaches. */
  #named = new Map<number, { name: string; tail: OutputTail }>();
  /** Where messages go; none while no page is attached (between a reload and its re-attach). */
  #outbox: Outbox | null;
  #ended: Promise<void> | null = null;

  constructor(options: LocalSandboxOptions) {
    this.folder = options.folder;
    this.#options = options;
    this.#outbox = options.outbox;
  }

  /** The page went away: processes keep running, their output kept only in the named processes' tails. */
  detach(): void {
    this.#outbox = null;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  /** A reloaded page takes the sandbox over: what still runs, what it printed, where it serves. */
  async attach(outbox: Outbox): Promise<Resumed> {
    this.#outbox = outbox;
    const servers = await Promise.all(
      [...this.#proxies].map(([port, proxy]) =>
        proxy.then(
          ({ url }) => [{ port, url }],
          () => [],
        ),
      ),
    );
    return {
      processes: [...this.#named]
        .filter(([processId]) => this.#processes.has(processId))
        .map(([processId, { name, tail }]) => ({ processId, name, output: tail.replay() })),
      servers: servers.flat(),
    };
  }

  get ending(): boolean {
    return this.#ended !== null;
  }

  #send(message: Parameters<Outbox['send']>[0]) {
    this.#outbox?.send(message);
  }

  async handle(body: SandboxRequest): Promise<Result> {
    if (this.#ended) throw new RuntimeError('This sandbox has been torn down.', 'disconnected');
    switch (body.op) {
      case 'mount':
        await this.#mount(body.tree, '');
        return null;
      case 'mountSnapshot':
        await this.#options.snapshots.writeInto(body.file, this.folder);
        return null;
      case 'readFile':
        return readInside(this.folder, body.path);
      case 'writeFile':
        await writeInside(this.folder, body.path, body.contents);
        return null;
      case 'rm': {
        const target = await resolveInside(this.folder, body.path);
        if (target === this.folder) throw new RuntimeError('Refusing to remove the sandbox root.', 'path-outside-sandbox');
        // The folders on the way must be real ones; the last part may be a symlink (rm removes the link).
        await resolveForWrite(this.folder, dirname(body.path));
        await rm(join(dirname(target), basename(target)), { recursive: true, force: true });
        return null;
      }
      case 'readdir': {
        const entries = await readdir(await resolveInside(this.folder, body.path), { withFileTypes: true }).catch(ioError(body.path));
        return entries.map((entry) => ({ name: entry.name, kind: entry.isDirectory() ? 'directory' : 'file' }));
      }
      case 'watch': {
        const root = await resolveInside(this.folder, body.path);
        const prefix = body.path.replace(/^\.?\/?/, '').replace(/\/$/, '');
        const watcher = watch(root, { recursive: true }, (kind, filename) => {
          if (!filename || isUnwatched(filename)) return;
          this.#send({ event: 'watch', watchId: body.watchId, kind, path: prefix ? `${prefix}/${filename}` : filename });
        });
        // The folder can go away under it (the learner removes it): stop watching, quietly.
        watcher.on('error', () => {
          watcher.close();
          this.#watchers.delete(body.watchId);
        });
        this.#watchers.get(body.watchId)?.close();
        this.#watchers.set(body.watchId, watcher);
        return null;
      }
      case 'unwatch':
        this.#watchers.get(body.watchId)?.close();
        this.#watchers.delete(body.watchId);
        return null;
      case 'spawn':
        await this.#spawn(body.processId, body.command, body.args, body.options);
        return null;
      case 'teardown':
        await this.end();
        return null;
    }
  }

  command(message: Command) {
    const child = this.#processes.get(message.processId);
    if (!child) return;
    if (message.op === 'stdin') this.#stdin(message.processId, child, message.data);
    else if (message.op === 'kill') killOnly(child);
    else if (message.op === 'resize' && this.#ptys.has(message.processId)) resizePty(child.pid!, message).catch(() => undefined);
  }

  /**
   * Input for a process, held for it up to STDIN_BACKLOG bytes: past that it is not reading its
   * input, and more would only pile up in the server's memory, so it is dropped and the page told.
   */
  #stdin(processId: number, child: ChildProcess, data: string) {
    const stdin = child.stdin;
    if (!stdin?.writable) return;
    if (stdin.writableLength + Buffer.byteLength(data) > STDIN_BACKLOG) {
      this.#send({
        event: 'invalid-message',
        message: `Input for process ${processId} was dropped: it has not read the last ${Math.round(stdin.writableLength / 1024)} KiB it was sent.`,
      });
      return;
    }
    stdin.write(data);
  }

  async #mount(tree: FileTree, prefix: string) {
    for (const [name, node] of Object.entries(tree)) {
      const path = prefix + name;
      if (typeof node === 'string') {
        await writeInside(this.folder, path, node);
      } else {
        await mkdirInside(this.folder, path);
        await this.#mount(node, `${path}/`);
      }
    }
  }

  async #spawn(
    processId: number,
    command: string,
    args: string[],
    options: { cwd?: string; env?: Record<string, string>; terminal?: { cols: number; rows: number }; name?: string },
  ) {
    const cwd = await resolveInside(this.folder, options.cwd ?? '');
    const nodeOptions = [this.#options.env.NODE_OPTIONS, options.env?.NODE_OPTIONS].filter(Boolean).join(' ');
    const env = {
      ...process.env,
      ...this.#options.env,
      ...options.env,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      // The sandbox's commands, then the Node running this server (Node 22, as in WebContainers), then the rest.
      PATH: [join(this.folder, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH].join(delimiter),
      npm_config_cache: this.#options.npmCacheDir,
      npm_config_update_notifier: 'false',
      FORCE_COLOR: '1',
      ...(options.terminal ? { TERM: 'xterm-256color', COLUMNS: String(options.terminal.cols), LINES: String(options.terminal.rows) } : {}),
      // Last, so nothing overrides it: how this sandbox's processes are found, wherever they go.
      [SANDBOX_MARKER]: this.folder,
    };
    const usePty = Boolean(options.terminal) && ptyAvailable;
    const [file, argv] = usePty ? ptyCommand(command, args, options.terminal!, options.env) : [command, args];
    const child = spawn(file, argv, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new RuntimeError(`Could not start ${command}: ${error.message}`, 'spawn-failed')));
    });
    this.#processes.set(processId, child);
    this.#options.guardian.track(child.pid!);
    if (usePty) this.#ptys.add(processId);
    const tail = options.name ? new OutputTail() : null;
    if (tail) this.#named.set(processId, { name: options.name!, tail });
    const forward = (stream: Readable) => (chunk: Buffer) => {
      const data = chunk.toString('utf8');
      tail?.push(data);
      this.#send({ event: 'output', processId, data });
      this.#watchForServers(data);
      // The page is not keeping up: let the process wait on its full pipe rather than buffer here.
      const outbox = this.#outbox;
      if (outbox?.congested) {
        stream.pause();
        void outbox.drained().then(() => stream.resume());
      }
    };
    child.stdout!.on('data', forward(child.stdout!));
    child.stderr!.on('data', forward(child.stderr!));
    child.stdin!.on('error', () => undefined);
    child.once('close', (code, signal) => {
      this.#options.guardian.untrack(child.pid!);
      this.#processes.delete(processId);
      this.#ptys.delete(processId);
      this.#named.delete(processId);
      const exitCode = code ?? (signal ? 128 : 1);
      if (!this.#ended) this.#send({ event: 'exit', processId, code: exitCode });
    });
  }

  #watchForServers(output: string) {
    for (const match of output.replace(ANSI, '').matchAll(ANNOUNCED_PORT)) {
      const port = Number(match[1]);
      if (this.#proxies.has(port)) continue;
      const proxy = (async () => {
        for (let attempt = 0; attempt < 50 && !this.#ended; attempt++) {
          // Only a port this sandbox's own processes listen on: an orphan of an earlier run, or
          // another program, answering on it is not this shop (where /proc cannot tell, it answers).
          const own = await sandboxListensOn(this.folder, port);
          if (own ?? (await portAnswers(port))) return startPreviewProxy(port);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error(`port ${port} never answered from this sandbox`);
      })();
      this.#proxies.set(port, proxy);
      proxy.then(
        (started) => {
          if (this.#ended) return started.close();
          this.#send({ event: 'server-ready', port, url: started.url });
        },
        () => this.#proxies.delete(port),
      );
    }
  }

  /** Kills every process, closes watchers and proxies, removes the folder. Safe to call twice: both wait for the end. */
  end(): Promise<void> {
    this.#ended ??= (async () => {
      for (const watcher of this.#watchers.values()) watcher.close();
      await Promise.all([...this.#processes.values()].map((child) => killTree(child.pid!)));
      for (const proxy of this.#proxies.values())
        void proxy.then(
          (p) => p.close(),
          () => undefined,
        );
      await rm(this.folder, { recursive: true, force: true, maxRetries: 3 });
    })();
    return this.#ended;
  }

  /** For process exit: no time for grace periods. */
  endNow() {
    for (const child of this.#processes.values()) killGroupNow(child.pid!);
  }
}

/**
 * `kill()` as strict as a WebContainer's may be: this process ends at once, without a signal it
 * could handle, and what it started is not touched. Those children must notice on their own (the
 * shop's parts end when their stdin closes), or they keep their ports, as they would in a browser.
 */
function killOnly(child: ChildProcess): void {
  child.stdin?.end();
  try {
    process.kill(child.pid!, 'SIGKILL');
  } catch {
    // gone already
  }
}

function ioError(path: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code === 'ENOENT') throw new RuntimeError(`No such file or folder: ${path}`, 'not-found');
    throw new RuntimeError(`Could not access ${path}: ${error.message}`, 'io');
  };
}
