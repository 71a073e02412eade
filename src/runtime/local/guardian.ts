/**
 * The guardian: a small process each course server starts beside itself, so that sandboxes end
 * with the server even when it cannot clean up (SIGKILL, a crash, the OOM killer). It reads the
 * server through a pipe: `+PGID` for each process group the server starts, `-PGID` once it has
 * ended (so a reused id is never signalled). When the pipe closes —
 * the server exited, however it died — it kills those groups and every process marked as one of
 * the server's sandboxes, removes their folders, and exits.
 *
 *   node guardian.ts <sandboxes folder> <owner: server identity and bridge id>
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reapSandboxesOf } from './sandbox-folders.ts';

export interface Guardian {
  /** Tells the guardian about a process group the server started… */
  track(pgid: number): void;
  /** …and that it has ended. */
  untrack(pgid: number): void;
  /** The server is done: the guardian cleans up what is left and exits. */
  close(): void;
}

export function startGuardian(sandboxesDir: string, owner: string): Guardian {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), sandboxesDir, owner], {
    // Its own process group: a Ctrl-C in the server's terminal must not end it before the server.
    detached: true,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.unref();
  const pipe = child.stdin!;
  pipe.on('error', () => undefined);
  (pipe as unknown as { unref?: () => void }).unref?.();
  return {
    track: (pgid) => void (pipe.writable && pipe.write(`+${pgid}\n`)),
    untrack: (pgid) => void (pipe.writable && pipe.write(`-${pgid}\n`)),
    close: () => pipe.end(),
  };
}

async function guard(sandboxesDir: string, owner: string) {
  // Signals from the terminal are for the server; the guardian waits for the pipe to close.
  for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);
  const groups = new Set<number>();
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const match = /^([+-])(\d+)$/.exec(line);
      if (match?.[1] === '+') groups.add(Number(match[2]));
      else if (match) groups.delete(Number(match[2]));
    }
  });
  await new Promise((resolve) => {
    process.stdin.once('close', resolve);
    process.stdin.once('end', resolve);
    process.stdin.once('error', resolve);
  });
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // that group has ended
    }
  }
  await reapSandboxesOf(sandboxesDir, owner);
  process.exit(0);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [sandboxesDir, owner] = process.argv.slice(2);
  if (!sandboxesDir || !owner) {
    console.error('usage: guardian.ts <sandboxes folder> <owner>');
    process.exit(2);
  }
  void guard(sandboxesDir, owner);
}
