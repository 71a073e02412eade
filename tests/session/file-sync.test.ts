/**
 * The one path files take to the sandbox. The runtime here records the calls it gets: these tests
 * are about what FileSync decides to write and when (the real runtimes' file operations have the
 * contract suite in tests/runtime/).
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { FileSync, TYPING_DELAY_MS } from '../../src/session/file-sync.ts';
import type { Runtime } from '../../src/runtime/types.ts';

function recordingRuntime() {
  const calls: string[] = [];
  const runtime = {
    writeFile: async (path: string, contents: string) => void calls.push(`write ${path}=${contents}`),
    rm: async (path: string) => void calls.push(`rm ${path}`),
  } as unknown as Runtime;
  return { runtime, calls };
}

afterEach(() => vi.useRealTimers());

describe('FileSync', () => {
  test('typing is written once the learner pauses, only the last contents', async () => {
    vi.useFakeTimers();
    const { runtime, calls } = recordingRuntime();
    const sync = new FileSync(() => {});
    sync.attach(runtime, { 'a.ts': '1' });
    sync.set('a.ts', '12');
    await vi.advanceTimersByTimeAsync(TYPING_DELAY_MS / 2);
    sync.set('a.ts', '123');
    await vi.advanceTimersByTimeAsync(TYPING_DELAY_MS / 2);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(TYPING_DELAY_MS);
    expect(calls).toEqual(['write a.ts=123']);
  });

  test('a new tree writes only what differs, and removes what is gone', async () => {
    const { runtime, calls } = recordingRuntime();
    const written: string[][] = [];
    const sync = new FileSync(
      () => {},
      (paths) => written.push(paths),
    );
    sync.attach(runtime, { 'same.ts': 's', 'changed.ts': 'old', 'gone.ts': 'g' });
    sync.replaceAll({ 'same.ts': 's', 'changed.ts': 'new', 'added.ts': 'a' });
    await sync.flush();
    expect(calls.sort()).toEqual(['rm gone.ts', 'write added.ts=a', 'write changed.ts=new']);
    expect(written.flat().sort()).toEqual(['added.ts', 'changed.ts', 'gone.ts']);
  });

  test('flush writes what is still waiting at once, and nothing twice', async () => {
    const { runtime, calls } = recordingRuntime();
    const sync = new FileSync(() => {});
    sync.attach(runtime, {});
    sync.set('a.ts', 'x');
    await sync.flush();
    await sync.flush();
    expect(calls).toEqual(['write a.ts=x']);
  });

  test('before a sandbox is attached nothing is written; attaching writes what changed meanwhile', async () => {
    const { runtime, calls } = recordingRuntime();
    const sync = new FileSync(() => {});
    sync.set('early.ts', 'typed during the boot', 0);
    expect(calls).toEqual([]);
    sync.attach(runtime, { 'early.ts': 'as mounted' });
    sync.replaceAll({ 'early.ts': 'typed during the boot' });
    await sync.flush();
    expect(calls).toEqual(['write early.ts=typed during the boot']);
  });

  test('a write that fails is reported with its path, and tried again on the next flush', async () => {
    const errors: string[] = [];
    let fail = true;
    const runtime = {
      writeFile: async () => {
        if (fail) throw new Error('disk full');
      },
    } as unknown as Runtime;
    const sync = new FileSync((path, error) => errors.push(`${path}: ${error.message}`));
    sync.attach(runtime, {});
    sync.set('a.ts', 'x', 0);
    await sync.flush();
    expect(errors).toEqual(['a.ts: disk full']);
    fail = false;
    await sync.flush();
    expect(errors).toHaveLength(1);
  });

  test("a change made in the sandbox (the learner's shell) is adopted, unless an edit of that file is on its way", async () => {
    vi.useFakeTimers();
    const { runtime, calls } = recordingRuntime();
    const sync = new FileSync(() => {});
    sync.attach(runtime, { 'a.ts': '1', 'b.ts': 'b' });
    const now = (path: string) => sync.generation(path);
    expect(sync.adopt('a.ts', '1', now('a.ts'))).toBe(false); // the echo of what it holds
    expect(sync.adopt('a.ts', 'from sed', now('a.ts'))).toBe(true);
    expect(sync.adopt('c.ts', 'new from the shell', now('c.ts'))).toBe(true);
    expect(sync.adopt('b.ts', undefined, now('b.ts'))).toBe(true); // rm in the shell
    const readBeforeTyping = now('a.ts');
    sync.set('a.ts', 'typed');
    expect(sync.adopt('a.ts', 'from sed again', now('a.ts'))).toBe(false);
    await vi.advanceTimersByTimeAsync(TYPING_DELAY_MS);
    // Adopted files are not written back; the typed edit wins over the shell's.
    expect(calls).toEqual(['write a.ts=typed']);
    // A read that began before the edit is stale even once the edit is written.
    expect(sync.adopt('a.ts', 'from sed again', readBeforeTyping)).toBe(false);
    await sync.flush();
    expect(calls).toEqual(['write a.ts=typed']);
  });
});
