/**
 * One sandbox of the local runtime: a temporary folder with real processes, owned by one
 * WebSocket. Everything it touches stays inside its folder; everything it starts ends with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { resolveInside } from './confine.ts';
import { startPreviewProxy, type PreviewProxy } from './preview-proxy.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import { killGroupNow, killTree } from './process-tree.ts';
import { ptyAvailable, ptyCommand, resizePty } from './pty.ts';
import type { Command, RequestBody, Result, ServerMessage } from './protocol.ts';
import { RuntimeError, type FileTree } from '../types.ts';

/** Servers announce themselves ("Local: http://localhost:5173/"); ANSI colours are stripped first. */
const ANNOUNCED_PORT = /(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1?\]):(\d{2,5})/g;
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export interface SessionOptions {
  folder: string;
  send: (message: ServerMessage) => void;
  npmCacheDir: string;
  snapshots: SnapshotStore;
  /** Added to every process's environment (the browser-parity flags, see bridge.ts). */
  env: Record<string, string>;
}

export class Session {
  readonly folder: string;
  #send: (message: ServerMessage) => void;
  #options: SessionOptions;
  #processes = new Map<number, ChildProcess>();
  #ptys = new Set<number>();
  #watchers = new Map<number, FSWatcher>();
  #proxies = new Map<number, Promise<PreviewProxy>>();
  #ended = false;

  constructor(options: SessionOptions) {
    this.folder = options.folder;
    this.#send = options.send;
    this.#options = options;
  }

  async handle(body: RequestBody): Promise<Result> {
    if (this.#ended) throw new RuntimeError('This sandbox has been torn down.', 'disconnected');
    switch (body.op) {
      case 'mount':
        await this.#mount(body.tree, '');
        return null;
      case 'mountSnapshot':
        await this.#options.snapshots.writeInto(body.file, this.folder);
        return null;
      case 'readFile':
        return readFile(await resolveInside(this.folder, body.path), 'utf8').catch(ioError(body.path));
      case 'writeFile': {
        const file = await resolveInside(this.folder, body.path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, body.contents);
        return null;
      }
      case 'rm': {
        const target = await resolveInside(this.folder, body.path);
        if (target === this.folder) throw new RuntimeError('Refusing to remove the sandbox root.', 'path-outside-sandbox');
        await rm(target, { recursive: true, force: true });
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
          if (!filename || /(^|\/)(node_modules|\.git)(\/|$)/.test(filename)) return;
          this.#send({ event: 'watch', watchId: body.watchId, kind, path: prefix ? `${prefix}/${filename}` : filename });
        });
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
    if (message.op === 'stdin') child.stdin?.write(message.data);
    else if (message.op === 'kill') void killTree(child.pid!);
    else if (message.op === 'resize' && this.#ptys.has(message.processId)) void resizePty(child.pid!, message);
  }

  async #mount(tree: FileTree, prefix: string) {
    for (const [name, node] of Object.entries(tree)) {
      const path = prefix + name;
      const target = await resolveInside(this.folder, path);
      if (typeof node === 'string') {
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, node);
      } else {
        await mkdir(target, { recursive: true });
        await this.#mount(node, `${path}/`);
      }
    }
  }

  async #spawn(processId: number, command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; terminal?: { cols: number; rows: number } }) {
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
    };
    const usePty = Boolean(options.terminal) && ptyAvailable;
    const [file, argv] = usePty ? ptyCommand(command, args, options.terminal!, options.env) : [command, args];
    const child = spawn(file, argv, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new RuntimeError(`Could not start ${command}: ${error.message}`, 'spawn-failed')));
    });
    this.#processes.set(processId, child);
    if (usePty) this.#ptys.add(processId);
    const forward = (chunk: Buffer) => {
      const data = chunk.toString('utf8');
      this.#send({ event: 'output', processId, data });
      this.#watchForServers(data);
    };
    child.stdout!.on('data', forward);
    child.stderr!.on('data', forward);
    child.stdin!.on('error', () => undefined);
    child.once('close', (code, signal) => {
      this.#processes.delete(processId);
      this.#ptys.delete(processId);
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
          if (await portAnswers(port)) return startPreviewProxy(port);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        throw new Error(`port ${port} never answered`);
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

  /** Kills every process, closes watchers and proxies, removes the folder. Safe to call twice. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    await Promise.all([...this.#processes.values()].map((child) => killTree(child.pid!)));
    for (const proxy of this.#proxies.values()) void proxy.then((p) => p.close(), () => undefined);
    await rm(this.folder, { recursive: true, force: true, maxRetries: 3 });
  }

  /** For process exit: no time for grace periods. */
  endNow() {
    for (const child of this.#processes.values()) killGroupNow(child.pid!);
  }
}

function ioError(path: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code === 'ENOENT') throw new RuntimeError(`No such file or folder: ${path}`, 'not-found');
    throw new RuntimeError(`Could not access ${path}: ${error.message}`, 'io');
  };
}
