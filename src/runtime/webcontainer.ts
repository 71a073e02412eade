/**
 * The Runtime contract on StackBlitz's WebContainers: Node in the learner's browser tab. It needs a
 * cross-origin isolated page and StackBlitz's hosted service, so boot() can fail or hang; the
 * caller (choose-runtime.ts) bounds it with a timeout and falls back to the local runtime.
 */
import type { FileSystemTree, WebContainer } from '@webcontainer/api';
import { fileMapToTree, toSandboxPath } from './sandbox-path.ts';
import { RuntimeError, type DirEntry, type FileTree, type Runtime, type SandboxProcess, type SpawnOptions } from './types.ts';
import { crossOriginIsolationHeaders } from '../server/isolation-headers.ts';

type Coep = 'require-corp' | 'credentialless';

function toWebContainerTree(tree: FileTree): FileSystemTree {
  const out: FileSystemTree = {};
  for (const [name, node] of Object.entries(tree)) {
    out[name] = typeof node === 'string' ? { file: { contents: node } } : { directory: toWebContainerTree(node) };
  }
  return out;
}

function notFound(path: string, error: unknown): RuntimeError {
  const message = error instanceof Error ? error.message : String(error);
  return /ENOENT/.test(message)
    ? new RuntimeError(`No such file or folder: ${path}`, 'not-found')
    : new RuntimeError(`Could not access ${path}: ${message}`, 'io');
}

class WebContainerRuntime implements Runtime {
  readonly kind = 'webcontainer' as const;
  #processes = new Set<SandboxProcess>();
  #tornDown = false;

  constructor(readonly container: WebContainer) {}

  async mount(tree: FileTree): Promise<void> {
    // Validate every path the same way the local runtime does before handing the tree over.
    const flat: Record<string, string> = {};
    const walk = (node: FileTree, prefix: string) => {
      for (const [name, child] of Object.entries(node)) {
        const path = toSandboxPath(prefix + name);
        if (typeof child === 'string') flat[path] = child;
        else walk(child, `${path}/`);
      }
    };
    walk(tree, '');
    await this.container.mount(toWebContainerTree(fileMapToTree(flat)));
  }

  async readFile(path: string): Promise<string> {
    const safe = toSandboxPath(path);
    try {
      return await this.container.fs.readFile(safe, 'utf-8');
    } catch (error) {
      throw notFound(safe, error);
    }
  }

  async writeFile(path: string, contents: string): Promise<void> {
    const safe = toSandboxPath(path);
    const folder = safe.split('/').slice(0, -1).join('/');
    if (folder) await this.container.fs.mkdir(folder, { recursive: true });
    await this.container.fs.writeFile(safe, contents);
  }

  async rm(path: string): Promise<void> {
    const safe = toSandboxPath(path);
    if (!safe) throw new RuntimeError('Refusing to remove the sandbox root.', 'path-outside-sandbox');
    await this.container.fs.rm(safe, { recursive: true, force: true });
  }

  async readdir(path: string): Promise<DirEntry[]> {
    const safe = toSandboxPath(path) || '.';
    try {
      const entries = await this.container.fs.readdir(safe, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, kind: entry.isDirectory() ? 'directory' : 'file' }));
    } catch (error) {
      throw notFound(safe, error);
    }
  }

  watch(path: string, listener: Parameters<Runtime['watch']>[1]) {
    const safe = toSandboxPath(path);
    const watcher = this.container.fs.watch(safe || '.', { recursive: true }, (event, filename) => {
      const name = typeof filename === 'string' ? filename : new TextDecoder().decode(filename);
      if (/(^|\/)(node_modules|\.git)(\/|$)/.test(name)) return;
      listener({ kind: event, path: safe ? `${safe}/${name}` : name });
    });
    return () => watcher.close();
  }

  async spawn(command: string, args: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    if (this.#tornDown) throw new RuntimeError('The sandbox was torn down.', 'disconnected');
    const process = await this.container
      .spawn(command, args, {
        cwd: options.cwd === undefined ? undefined : toSandboxPath(options.cwd),
        env: options.env,
        terminal: options.terminal,
      })
      .catch((error: unknown) => {
        throw new RuntimeError(`Could not start ${command}: ${error instanceof Error ? error.message : error}`, 'spawn-failed');
      });
    const input = process.input.getWriter();
    const handle: SandboxProcess = {
      output: process.output,
      exit: process.exit,
      write: (data) => void input.write(data),
      resize: (size) => process.resize(size),
      kill: () => process.kill(),
    };
    this.#processes.add(handle);
    void process.exit.finally(() => this.#processes.delete(handle));
    return handle;
  }

  onServerReady(listener: (port: number, url: string) => void) {
    return this.container.on('server-ready', listener);
  }

  async teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    for (const process of this.#processes) process.kill();
    this.container.teardown();
  }
}

/** Boots the page's one WebContainer. Rejects when the page is not cross-origin isolated. */
export async function bootWebContainer(): Promise<Runtime> {
  if (typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated) {
    throw new RuntimeError('This page is not cross-origin isolated, so WebContainers cannot start here.', 'spawn-failed');
  }
  const { WebContainer } = await import('@webcontainer/api');
  // The boot option must match the header the page was served with.
  const coep = crossOriginIsolationHeaders['Cross-Origin-Embedder-Policy'] as Coep;
  const container = await WebContainer.boot({ coep, workdirName: 'storefront' });
  return new WebContainerRuntime(container);
}
