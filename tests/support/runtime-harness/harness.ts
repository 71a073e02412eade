/**
 * Lets a test in Node drive a runtime that lives in the page (WebContainers only exist in a
 * browser): every Runtime method by name, with process output, exits, file changes and
 * server-ready events sent back through a binding the test exposes as `window.ctlEvent`.
 */
import { bootWebContainer } from '../../../src/runtime/webcontainer.ts';
import { RuntimeError, type Runtime, type SandboxProcess } from '../../../src/runtime/types.ts';

export type HarnessEvent =
  | { type: 'output'; processId: number; data: string }
  | { type: 'exit'; processId: number; code: number }
  | { type: 'watch'; watchId: number; kind: string; path: string }
  | { type: 'server-ready'; port: number; url: string }
  | { type: 'failure'; source: 'runtime' | 'preview'; message: string };

export type HarnessResult = { ok: true; value: unknown } | { ok: false; code: string; message: string };

declare global {
  interface Window {
    ctlEvent: (event: HarnessEvent) => void;
    ctlHarness: {
      boot: () => Promise<HarnessResult>;
      call: (method: string, args: unknown[]) => Promise<HarnessResult>;
    };
  }
}

export function exposeRuntimeHarness() {
  let runtime: Runtime | null = null;
  const processes = new Map<number, SandboxProcess>();
  const unwatch = new Map<number, () => void>();
  let nextId = 1;

  const settle = async (work: () => Promise<unknown>): Promise<HarnessResult> => {
    try {
      return { ok: true, value: await work() };
    } catch (error) {
      return { ok: false, code: error instanceof RuntimeError ? error.code : 'io', message: error instanceof Error ? error.message : String(error) };
    }
  };

  window.ctlHarness = {
    boot: () =>
      settle(async () => {
        runtime = await bootWebContainer();
        runtime.onServerReady((port, url) => window.ctlEvent({ type: 'server-ready', port, url }));
        runtime.onFailure((failure) => window.ctlEvent({ type: 'failure', ...failure }));
        return runtime.kind;
      }),
    call: (method, args) =>
      settle(async () => {
        if (!runtime) throw new RuntimeError('Not booted.', 'disconnected');
        switch (method) {
          case 'spawn':
          case 'openShell': {
            const processId = nextId++;
            const process =
              method === 'openShell'
                ? await runtime.openShell(args[0] as { cols: number; rows: number })
                : await runtime.spawn(...(args as Parameters<Runtime['spawn']>));
            processes.set(processId, process);
            void process.output.pipeTo(new WritableStream({ write: (data) => window.ctlEvent({ type: 'output', processId, data }) }));
            void process.exit.then((code) => window.ctlEvent({ type: 'exit', processId, code }));
            return processId;
          }
          case 'write':
            return processes.get(args[0] as number)?.write(args[1] as string);
          case 'resize':
            return processes.get(args[0] as number)?.resize(args[1] as { cols: number; rows: number });
          case 'kill':
            return processes.get(args[0] as number)?.kill();
          case 'watch': {
            const watchId = nextId++;
            unwatch.set(
              watchId,
              runtime.watch(args[0] as string, (change) => window.ctlEvent({ type: 'watch', watchId, ...change })),
            );
            return watchId;
          }
          case 'unwatch':
            return unwatch.get(args[0] as number)?.();
          case 'mountSnapshot':
            return runtime.mountSnapshot(args[0] as Parameters<Runtime['mountSnapshot']>[0]);
          case 'mount':
          case 'readFile':
          case 'writeFile':
          case 'rm':
          case 'readdir':
          case 'teardown':
            return (runtime[method] as (...a: unknown[]) => Promise<unknown>)(...args);
          default:
            throw new RuntimeError(`Unknown method ${method}.`, 'io');
        }
      }),
  };
}
