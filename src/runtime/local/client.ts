/**
 * The browser side of the local runtime: the Runtime contract over one WebSocket to the bridge in
 * the course's own server. Also runs in Node 22 (global WebSocket), which is how tests drive it.
 */
import {
  CLOSE_SIGNED_OUT,
  CLOSE_TAKEN_OVER,
  KEY_PROTOCOL_PREFIX,
  KEY_STORAGE_ITEM,
  PROTOCOL,
  STDIN_CHUNK,
  type Claimed,
  type ClientMessage,
  type RequestBody,
  type Result,
  type Resumed,
  type ServerMessage,
} from './protocol.ts';
import {
  RuntimeError,
  type FileChange,
  type FileTree,
  type PackagesSnapshot,
  type Runtime,
  type RuntimeFailure,
  type SandboxProcess,
  type SpawnOptions,
} from '../types.ts';

interface LiveProcess {
  controller: ReadableStreamDefaultController<string>;
  resolveExit: (code: number) => void;
}

/** `text` in pieces of at most `size` UTF-16 units, never splitting a surrogate pair. */
function* pieces(text: string, size: number): Generator<string> {
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + size, text.length);
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end--;
    yield text.slice(at, end);
    at = end;
  }
}

class LocalRuntimeClient implements Runtime {
  readonly kind = 'local' as const;
  #socket: WebSocket;
  #nextId = 1;
  #pending = new Map<number, { resolve: (result: Result) => void; reject: (error: RuntimeError) => void }>();
  #processes = new Map<number, LiveProcess>();
  #watchers = new Map<number, (change: FileChange) => void>();
  #serverReady = new Set<(port: number, url: string) => void>();
  #ready = new Map<number, string>();
  #failures = new Set<(failure: RuntimeFailure) => void>();
  #closed: RuntimeError | null = null;
  #tearingDown = false;
  /** How this tab can take the sandbox back after a reload, when it asked to keep it. */
  claimed: Claimed | null = null;
  /** After a reload: the named processes that were still running, by name. */
  resumed: ReadonlyMap<string, SandboxProcess> | null = null;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event) => this.#receive(JSON.parse(String(event.data)) as ServerMessage));
    socket.addEventListener('close', (event) => this.#disconnect(event));
  }

  #disconnect(event: CloseEvent) {
    if (this.#closed) return;
    const message =
      event.code === CLOSE_TAKEN_OVER
        ? `${event.reason} This tab no longer runs it; press “Try again” to run it here again.`
        : event.code === CLOSE_SIGNED_OUT
          ? `${event.reason} Open the new link \`npm start\` printed to sign in again.`
          : 'The connection to the local runtime closed. Is `npm start` still running?';
    this.#closed = new RuntimeError(message, 'disconnected');
    if (!this.#tearingDown) for (const listener of this.#failures) listener({ source: 'runtime', message: this.#closed.message });
    for (const { reject } of this.#pending.values()) reject(this.#closed);
    this.#pending.clear();
    for (const process of this.#processes.values()) {
      process.controller.close();
      process.resolveExit(-1);
    }
    this.#processes.clear();
  }

  #receive(message: ServerMessage) {
    if ('id' in message) {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new RuntimeError(message.error.message, message.error.code));
      return;
    }
    switch (message.event) {
      case 'output':
        this.#processes.get(message.processId)?.controller.enqueue(message.data);
        break;
      case 'exit': {
        const process = this.#processes.get(message.processId);
        this.#processes.delete(message.processId);
        process?.controller.close();
        process?.resolveExit(message.code);
        break;
      }
      case 'server-ready':
        this.#ready.set(message.port, message.url);
        for (const listener of this.#serverReady) listener(message.port, message.url);
        break;
      case 'watch':
        this.#watchers.get(message.watchId)?.({ kind: message.kind, path: message.path });
        break;
      case 'invalid-message':
        console.warn(`[local runtime] ${message.message}`);
        break;
    }
  }

  #send(message: ClientMessage) {
    if (this.#closed) throw this.#closed;
    this.#socket.send(JSON.stringify(message));
  }

  #request(body: RequestBody): Promise<Result> {
    return new Promise((resolve, reject) => {
      if (this.#closed) return reject(this.#closed);
      const id = this.#nextId++;
      this.#pending.set(id, { resolve, reject });
      this.#send({ ...body, id });
    });
  }

  async mount(tree: FileTree) {
    await this.#request({ op: 'mount', tree });
  }
  async mountSnapshot(snapshot: PackagesSnapshot, onProgress?: (fraction: number) => void) {
    // The bridge reads the same file from the built site; nothing crosses the socket but its name.
    await this.#request({ op: 'mountSnapshot', file: snapshot.manifest.file });
    onProgress?.(1);
  }
  async readFile(path: string) {
    return (await this.#request({ op: 'readFile', path })) as string;
  }
  async writeFile(path: string, contents: string) {
    await this.#request({ op: 'writeFile', path, contents });
  }
  async rm(path: string) {
    await this.#request({ op: 'rm', path });
  }
  async readdir(path: string) {
    return (await this.#request({ op: 'readdir', path })) as Awaited<ReturnType<Runtime['readdir']>>;
  }

  watch(path: string, listener: (change: FileChange) => void) {
    const watchId = this.#nextId++;
    this.#watchers.set(watchId, listener);
    this.#request({ op: 'watch', path, watchId }).catch(() => this.#watchers.delete(watchId));
    return () => {
      this.#watchers.delete(watchId);
      if (!this.#closed) void this.#request({ op: 'unwatch', watchId }).catch(() => undefined);
    };
  }

  /** bash without the learner's own profile, so the sandbox's PATH and prompt hold. */
  openShell(size: { cols: number; rows: number }, name?: string): Promise<SandboxProcess> {
    return this.spawn('bash', ['--noprofile', '--norc', '-i'], { terminal: size, name, env: { PS1: '\\[\\e[35m\\]storefront\\[\\e[0m\\] $ ' } });
  }

  async spawn(command: string, args: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    const processId = this.#nextId++;
    const handle = this.#handle(processId);
    try {
      await this.#request({ op: 'spawn', processId, command, args, options });
    } catch (error) {
      this.#processes.delete(processId);
      throw error;
    }
    return handle;
  }

  /** The page's side of a process of the sandbox: its output stream, exit, input and kill. */
  #handle(processId: number, replay = ''): SandboxProcess {
    let controller!: ReadableStreamDefaultController<string>;
    const output = new ReadableStream<string>({
      start(c) {
        controller = c;
        if (replay) c.enqueue(replay);
      },
    });
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (resolveExit = resolve));
    this.#processes.set(processId, { controller, resolveExit });
    return {
      output,
      exit,
      write: (data) => {
        for (const piece of pieces(data, STDIN_CHUNK)) this.#send({ op: 'stdin', processId, data: piece });
      },
      resize: ({ cols, rows }) => this.#send({ op: 'resize', processId, cols, rows }),
      kill: () => !this.#closed && this.#send({ op: 'kill', processId }),
    };
  }

  onServerReady(listener: (port: number, url: string) => void) {
    this.#serverReady.add(listener);
    // A server that became ready before anyone listened is still reported.
    for (const [port, url] of this.#ready) queueMicrotask(() => this.#serverReady.has(listener) && listener(port, url));
    return () => void this.#serverReady.delete(listener);
  }

  onFailure(listener: (failure: RuntimeFailure) => void) {
    this.#failures.add(listener);
    return () => void this.#failures.delete(listener);
  }

  async claim(label: string, ports: number[], keepForReload: boolean) {
    this.claimed = (await this.#request({ op: 'claim', label: label.slice(0, 200), ports, keepForReload })) as Claimed | null;
  }

  /** Takes back the sandbox this tab claimed before a reload; throws `not-found` when it is gone. */
  async resume(claimed: Claimed) {
    const { processes, servers } = (await this.#request({ op: 'resume', ...claimed })) as Resumed;
    this.claimed = claimed;
    // New ids start past the processes that still run, which keep theirs.
    this.#nextId = Math.max(this.#nextId, ...processes.map(({ processId }) => processId + 1));
    for (const { port, url } of servers) this.#ready.set(port, url);
    this.resumed = new Map(processes.map(({ processId, name, output }) => [name, this.#handle(processId, output)]));
  }

  /** Closes the connection without ending the sandbox, as a page that goes away does (a reload may take it back). */
  disconnect() {
    this.#tearingDown = true;
    this.#socket.close();
  }

  async label(label: string) {
    await this.#request({ op: 'label', label: label.slice(0, 200) });
  }

  async teardown() {
    if (this.#closed) return;
    this.#tearingDown = true;
    await this.#request({ op: 'teardown' }).catch(() => undefined);
    this.#socket.close();
  }
}

export interface ConnectOptions {
  /** Names this page to a second tab that finds the sandbox busy (default: the page's title). */
  label?: string;
  /** Ports the shop will listen on: the claim fails (`port-in-use`) while another program holds one. */
  ports?: number[];
  /**
   * Node only (tests, tools): headers for the handshake. A browser sends the session cookie and
   * its Origin itself and cannot set headers.
   */
  headers?: Record<string, string>;
  /** The session's key (default: the one the sign-in page kept in this origin's localStorage). */
  key?: string;
  /** Keep the sandbox running for a moment when this connection goes, for a reload to take it back. */
  keepForReload?: boolean;
  /** Take back the sandbox a page of this tab claimed before it reloaded, if it still runs. */
  resume?: Claimed | null;
}

/** The bridge of the course server that served this page. */
export const pageRuntimeUrl = (): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/__runtime`;

/** The key the sign-in page kept for this origin, where there is a page. */
function pageKey(): string | undefined {
  try {
    return globalThis.localStorage?.getItem(KEY_STORAGE_ITEM) ?? undefined;
  } catch {
    return undefined;
  }
}

function open(url: string, headers?: Record<string, string>, key = pageKey()): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // The key rides in the handshake as a second subprotocol; the bridge answers with PROTOCOL alone.
    const protocols = key ? [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${key}`] : [PROTOCOL];
    // Node's WebSocket (undici) takes an init object with headers; a browser's takes protocols only.
    const socket = headers ? new WebSocket(url, { protocols, headers } as unknown as string[]) : new WebSocket(url, protocols);
    socket.addEventListener('open', () => resolve(socket), { once: true });
    socket.addEventListener(
      'error',
      () =>
        reject(
          new RuntimeError(
            'Could not connect to the local runtime. It only accepts pages of the course server that started it, in the browser signed in with the ' +
              'link `npm start` printed; open that link again (or restart `npm start`) and reload.',
            'unauthorized',
          ),
        ),
      { once: true },
    );
  });
}

/**
 * Connects to the bridge and claims this machine's sandbox. Rejects with code `unauthorized` when
 * the connection is refused, `busy` (naming the holder) when another tab or course server runs
 * the shop (`takeOverLocalRuntime` then ends that one), and `port-in-use` (naming the program)
 * when something else listens on one of `ports`.
 */
export async function connectLocalRuntime(
  url: string,
  { label = typeof document === 'undefined' ? 'a test' : document.title, ports = [], headers, key, keepForReload = false, resume }: ConnectOptions = {},
): Promise<Runtime & Pick<LocalRuntimeClient, 'claimed' | 'disconnect'>> {
  const client = new LocalRuntimeClient(await open(url, headers, key));
  try {
    if (resume) await client.resume(resume).catch((error: RuntimeError) => (error.code === 'not-found' ? undefined : Promise.reject(error)));
    if (!client.resumed) await client.claim(label, ports, keepForReload);
  } catch (error) {
    await client.teardown();
    throw error;
  }
  return client;
}

/** Ends the session that holds this machine's sandbox (another tab, another course server). */
export async function takeOverLocalRuntime(url: string, { headers, key }: Pick<ConnectOptions, 'headers' | 'key'> = {}): Promise<void> {
  const socket = await open(url, headers, key);
  const done = new Promise<void>((resolve, reject) => {
    socket.addEventListener('message', (event) => {
      const answer = JSON.parse(String(event.data)) as ServerMessage;
      if (!('id' in answer)) return;
      if (answer.ok) resolve();
      else reject(new RuntimeError(answer.error.message, answer.error.code));
    });
    socket.addEventListener('close', () => reject(new RuntimeError('The local runtime closed the connection before the takeover finished.', 'disconnected')));
  });
  socket.send(JSON.stringify({ id: 1, op: 'takeOver' } satisfies ClientMessage));
  try {
    await done;
  } finally {
    socket.close();
  }
}
