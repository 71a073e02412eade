/**
 * The WebContainer adapter's own lifecycle, against a SCRIPTED STAND-IN of `@webcontainer/api`
 * (real WebContainers cannot boot without StackBlitz's service; tests/browser/webcontainer-
 * contract.test.ts runs the real thing wherever it is reachable). The stand-in only records what
 * the adapter asks of it and answers as scripted: these tests are about the adapter's decisions —
 * one boot per page, a slow boot waited on rather than repeated, the snapshot fetched, unzipped
 * and mounted, failures reported — not about WebContainers.
 */
import { gzipSync } from 'node:zlib';
import type { WebContainer } from '@webcontainer/api';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { encode } from '@msgpack/msgpack';
import { bootWebContainer, type WebContainerBoot } from '../../src/runtime/webcontainer.ts';
import { chooseRuntime, type RuntimeSources } from '../../src/runtime/choose-runtime.ts';
import { decodeSnapshot, snapshotFiles } from '../../src/snapshot/format.ts';
import type { PackagesSnapshot, Runtime } from '../../src/runtime/types.ts';

type Listener = (...args: unknown[]) => void;

/** Records calls; emits events when a test says so. Not a WebContainer. */
class ScriptedWebContainerStandIn {
  mounted: unknown[] = [];
  tornDown = 0;
  listeners = new Map<string, Set<Listener>>();
  mount = async (tree: unknown) => void this.mounted.push(tree);
  on(event: string, listener: Listener) {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return () => set.delete(listener);
  }
  emit(event: string, ...args: unknown[]) {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
  teardown = () => void this.tornDown++;
  asWebContainer = () => this as unknown as WebContainer;
}

afterEach(async () => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('one WebContainer boot per page', () => {
  test('callers during a boot share it; it is started once', async () => {
    const standIn = new ScriptedWebContainerStandIn();
    const pending = Promise.withResolvers<WebContainer>();
    const boot = vi.fn<WebContainerBoot>(() => pending.promise);
    const first = bootWebContainer(boot);
    const second = bootWebContainer(boot);
    pending.resolve(standIn.asWebContainer());
    expect(await first).toBe(await second);
    expect(boot).toHaveBeenCalledTimes(1);
    await (await first).teardown();
  });

  test('after a teardown the page may boot again; after a failed boot too', async () => {
    const boot = vi.fn<WebContainerBoot>(async () => new ScriptedWebContainerStandIn().asWebContainer());
    const runtime = await bootWebContainer(boot);
    await runtime.teardown();
    await runtime.teardown(); // safe twice
    await (await bootWebContainer(boot)).teardown();
    expect(boot).toHaveBeenCalledTimes(2);

    const failing = vi.fn<WebContainerBoot>(async () => Promise.reject(new Error('Unable to create more instances')));
    await expect(bootWebContainer(failing)).rejects.toThrow(/could not start: Unable to create more instances/);
    const retried = await bootWebContainer(boot);
    expect(boot).toHaveBeenCalledTimes(3);
    await retried.teardown();
  });

  test('the runtime reports WebContainer error events and errors thrown in the preview', async () => {
    const standIn = new ScriptedWebContainerStandIn();
    const runtime = await bootWebContainer(async () => standIn.asWebContainer());
    const failures: unknown[] = [];
    const off = runtime.onFailure((failure) => failures.push(failure));
    standIn.emit('error', { message: 'internal error' });
    standIn.emit('preview-message', {
      type: 'PREVIEW_UNCAUGHT_EXCEPTION',
      message: 'Failed to fetch',
      stack: '',
      pathname: '/',
      previewId: 'x',
      port: 5173,
      search: '',
      hash: '',
    });
    off();
    standIn.emit('error', { message: 'after unsubscribing' });
    expect(failures).toEqual([
      { source: 'runtime', message: 'internal error' },
      { source: 'preview', message: 'Failed to fetch (at /)' },
    ]);
    await runtime.teardown();
    expect(standIn.tornDown).toBe(1);
  });
});

describe('mounting the packages snapshot', () => {
  const snapshotBytes = encode({
    d: { node_modules: { d: { express: { d: { 'package.json': { f: { c: new TextEncoder().encode('{"name":"express"}') } } } } } } },
  });

  test('fetches the gzipped snapshot with progress, unzips it and mounts the bytes', async () => {
    const gzipped = gzipSync(snapshotBytes);
    vi.stubGlobal('fetch', async (url: string) => {
      expect(url).toBe('/sandbox/packages-0123456789abcdef.snapshot.gz');
      return new Response(new Blob([gzipped]).stream());
    });
    const standIn = new ScriptedWebContainerStandIn();
    const runtime = await bootWebContainer(async () => standIn.asWebContainer());
    const progress: number[] = [];
    const snapshot = { url: '/sandbox/packages-0123456789abcdef.snapshot.gz', manifest: { gzipBytes: gzipped.byteLength } } as PackagesSnapshot;
    await runtime.mountSnapshot(snapshot, (fraction) => progress.push(fraction));
    const mounted = standIn.mounted[0] as Uint8Array;
    expect(mounted).toBeInstanceOf(Uint8Array);
    expect([...snapshotFiles(decodeSnapshot(mounted))].map(([path]) => path)).toEqual(['node_modules/express/package.json']);
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    await runtime.teardown();
  });

  test('a failed download says so', async () => {
    vi.stubGlobal('fetch', async () => new Response('gone', { status: 404 }));
    const runtime = await bootWebContainer(async () => new ScriptedWebContainerStandIn().asWebContainer());
    await expect(runtime.mountSnapshot({ url: '/sandbox/x', manifest: { gzipBytes: 1 } } as PackagesSnapshot)).rejects.toThrow(
      /Could not download the shop's packages \(HTTP 404/,
    );
    await runtime.teardown();
  });
});

describe('choosing a runtime never dead-ends', () => {
  const runtimeOf = (kind: Runtime['kind']) => ({ kind }) as Runtime;
  function sources({ webContainer, ...overrides }: Partial<RuntimeSources> & { webContainer: Promise<Runtime> }): RuntimeSources {
    return {
      localAvailable: () => true,
      connectLocal: async () => runtimeOf('local'),
      bootWebContainer: () => webContainer,
      ...overrides,
    };
  }

  test('auto, served by the course server: the local runtime at once, no WebContainer boot to wait for', async () => {
    const bootWebContainer = vi.fn(() => new Promise<Runtime>(() => {}));
    const choice = await chooseRuntime('auto', { sources: sources({ webContainer: new Promise(() => {}), bootWebContainer }) });
    expect(choice.runtime.kind).toBe('local');
    expect(bootWebContainer).not.toHaveBeenCalled();
  });

  test('auto, on a static host: WebContainers', async () => {
    const choice = await chooseRuntime('auto', { sources: sources({ webContainer: Promise.resolve(runtimeOf('webcontainer')), localAvailable: () => false }) });
    expect(choice.runtime.kind).toBe('webcontainer');
  });

  test('webcontainer: a slow boot is reported as slow and waited on, not abandoned', async () => {
    vi.useFakeTimers();
    const boot = Promise.withResolvers<Runtime>();
    const onSlow = vi.fn();
    const choosing = chooseRuntime('webcontainer', { sources: sources({ webContainer: boot.promise }), slowAfterMs: 8000, onSlow });
    await vi.advanceTimersByTimeAsync(8000);
    expect(onSlow).toHaveBeenCalledOnce();
    await vi.advanceTimersByTimeAsync(30_000);
    boot.resolve(runtimeOf('webcontainer'));
    expect((await choosing).runtime.kind).toBe('webcontainer');
  });

  test('webcontainer, chosen where it cannot start: the reason, and the local runtime stays one click away', async () => {
    await expect(chooseRuntime('webcontainer', { sources: sources({ webContainer: Promise.reject(new Error('not cross-origin isolated')) }) })).rejects.toThrow(
      /not cross-origin isolated/,
    );
  });

  test('a static host (no local runtime): the failure says how to run the course locally', async () => {
    await expect(
      chooseRuntime('auto', { sources: sources({ webContainer: Promise.reject(new Error('blocked')), localAvailable: () => false }) }),
    ).rejects.toThrow(/blocked[\s\S]*npm install && npm start/);
    await expect(chooseRuntime('local', { sources: sources({ webContainer: new Promise(() => {}), localAvailable: () => false }) })).rejects.toThrow(
      /npm install && npm start/,
    );
  });
});

describe('a browser that cannot run WebContainers is told so, and what to do, before any boot', () => {
  const desktopChrome = {
    crossOriginIsolated: true,
    sharedArrayBuffer: true,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
    maxTouchPoints: 0,
  };
  const cases: [string, Partial<typeof desktopChrome>, RegExp][] = [
    [
      'iOS Safari',
      { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile Safari/604.1' },
      /iPhone or iPad/,
    ],
    [
      'iPadOS, which calls itself a Mac',
      { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15', maxTouchPoints: 5 },
      /iPhone or iPad/,
    ],
    ['no SharedArrayBuffer', { sharedArrayBuffer: false }, /SharedArrayBuffer/],
    ['a host that sends no isolation headers', { crossOriginIsolated: false }, /Cross-Origin-Embedder-Policy/],
  ];
  for (const [name, traits, reason] of cases) {
    test(name, async () => {
      const boot = vi.fn<WebContainerBoot>(async () => new ScriptedWebContainerStandIn().asWebContainer());
      const refused = bootWebContainer(boot, { ...desktopChrome, ...traits });
      await expect(refused).rejects.toThrow(reason);
      await expect(refused).rejects.toThrow(/npm install && npm start/);
      expect(boot).not.toHaveBeenCalled();
    });
  }

  test('a desktop Mac is not mistaken for an iPad, and a capable browser boots', async () => {
    const mac = { ...desktopChrome, userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/18.0 Safari/605.1.15' };
    const runtime = await bootWebContainer(async () => new ScriptedWebContainerStandIn().asWebContainer(), mac);
    await runtime.teardown();
  });
});
