/**
 * The Runtime contract on StackBlitz's WebContainers: Node in the learner's browser tab. It needs a
 * cross-origin isolated page and StackBlitz's hosted service. `WebContainer.boot()` may be called
 * once per page, so the boot is one promise for the page's lifetime: a slow boot is waited on or
 * left aside (choose-runtime.ts), never started twice.
 */
import type { FileSystemTree, WebContainer } from '@webcontainer/api';
import { fileMapToTree, toSandboxPath } from './sandbox-path.ts';
import {
  isUnwatched,
  RuntimeError,
  type DirEntry,
  type FileTree,
  type PackagesSnapshot,
  type Runtime,
  type RuntimeFailure,
  type SandboxProcess,
  type SpawnOptions,
} from './types.ts';
import { pageTraits, webContainerUnsupported, type BrowserTraits } from './webcontainer-support.ts';

/** The boot option must match the Cross-Origin-Embedder-Policy the page is served with (src/server/isolation-headers.ts). */
const COEP = 'require-corp';

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

/** Downloads the gzipped snapshot with progress (0..0.8), then unzips it in the browser. */
export async function fetchSnapshot(snapshot: PackagesSnapshot, onProgress: (fraction: number) => void): Promise<Uint8Array> {
  const response = await fetch(snapshot.url).catch((error: unknown) => {
    throw new RuntimeError(`Could not download the shop's packages: ${error instanceof Error ? error.message : error}`, 'io');
  });
  if (!response.ok || !response.body) throw new RuntimeError(`Could not download the shop's packages (HTTP ${response.status} for ${snapshot.url}).`, 'io');
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress(0.8 * Math.min(received / snapshot.manifest.gzipBytes, 1));
  }
  const body = new Blob(chunks as BlobPart[]);
  const head = new Uint8Array(await body.slice(0, 2).arrayBuffer());
  // A host that served it with Content-Encoding has already unzipped it.
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const raw = gzipped ? await new Response(body.stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer() : await body.arrayBuffer();
  onProgress(0.9);
  return new Uint8Array(raw);
}

export class WebContainerRuntime implements Runtime {
  readonly kind = 'webcontainer' as const;
  readonly container: WebContainer;
  #onTeardown: () => void;
  #processes = new Set<SandboxProcess>();
  #tornDown = false;

  constructor(container: WebContainer, onTeardown: () => void = () => {}) {
    this.container = container;
    this.#onTeardown = onTeardown;
  }

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

  async mountSnapshot(snapshot: PackagesSnapshot, onProgress: (fraction: number) => void = () => {}): Promise<void> {
    const bytes = await fetchSnapshot(snapshot, onProgress);
    await this.container.mount(bytes).catch((error: unknown) => {
      throw new RuntimeError(`Could not mount the shop's packages: ${error instanceof Error ? error.message : error}`, 'io');
    });
    onProgress(1);
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
      if (isUnwatched(name)) return;
      listener({ kind: event, path: safe ? `${safe}/${name}` : name });
    });
    return () => watcher.close();
  }

  /** WebContainers' own shell, jsh. */
  openShell(size: { cols: number; rows: number }): Promise<SandboxProcess> {
    return this.spawn('jsh', [], { terminal: size });
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

  onFailure(listener: (failure: RuntimeFailure) => void) {
    const offError = this.container.on('error', ({ message }) => listener({ source: 'runtime', message }));
    const offPreview = this.container.on('preview-message', (message) => {
      const text = 'message' in message ? message.message : message.args.map(String).join(' ');
      listener({ source: 'preview', message: `${text} (at ${message.pathname})` });
    });
    return () => {
      offError();
      offPreview();
    };
  }

  async teardown(): Promise<void> {
    if (this.#tornDown) return;
    this.#tornDown = true;
    for (const process of this.#processes) process.kill();
    this.container.teardown();
    this.#onTeardown();
  }
}

/** What boots the WebContainer: the real API, or a scripted stand-in in unit tests. */
export type WebContainerBoot = () => Promise<WebContainer>;

const realBoot: WebContainerBoot = async () => {
  const { WebContainer, configureAPIKey } = await import('@webcontainer/api');
  // A commercial host passes its WebContainer API key at build time (README: Hosting).
  const apiKey = import.meta.env.PUBLIC_WEBCONTAINER_API_KEY;
  if (apiKey) configureAPIKey(apiKey);
  return WebContainer.boot({ coep: COEP, workdirName: 'storefront', forwardPreviewErrors: 'exceptions-only' });
};

let pageBoot: Promise<WebContainerRuntime> | null = null;

/**
 * The page's one WebContainer. Every caller shares the same boot; it is never started twice, and
 * only a teardown frees the page to boot again. Rejects at once, saying why, in a browser that
 * cannot run WebContainers (webcontainer-support.ts).
 */
export function bootWebContainer(boot: WebContainerBoot = realBoot, traits: BrowserTraits = pageTraits()): Promise<WebContainerRuntime> {
  const unsupported = webContainerUnsupported(traits);
  if (unsupported) return Promise.reject(new RuntimeError(unsupported, 'spawn-failed'));
  if (!pageBoot) {
    const started = boot().then(
      (container) => new WebContainerRuntime(container, () => (pageBoot = null)),
      (error: unknown) => {
        pageBoot = null; // a failed boot may be tried again
        throw new RuntimeError(`WebContainers could not start: ${error instanceof Error ? error.message : error}`, 'spawn-failed');
      },
    );
    pageBoot = started;
  }
  return pageBoot;
}
