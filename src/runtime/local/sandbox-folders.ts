/**
 * Where sandboxes live and how they are cleaned up. Each bridge makes its sandboxes as
 * `ctl-sandbox-<server identity>-<bridge id>-XXXXXX`, so a later server can tell which ones
 * outlived theirs (killed with SIGKILL, a crash, a power cut) and reap them: their processes,
 * then their folder.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pinRoot } from './confine.ts';
import { stillRunning } from './process-identity.ts';
import { killSandboxProcesses } from './sandbox-processes.ts';

const PREFIX = 'ctl-sandbox-';
const OWNED = /^ctl-sandbox-(\d+\.\d+)-/;

/**
 * The default folder for sandboxes: one per user in the OS temp folder, private to them. One that
 * someone else made (or a symlink planted there) is refused rather than used.
 */
export function defaultSandboxesDir(): string {
  // By uid where there is one: a container's user may have no name.
  const dir = join(tmpdir(), `checkout-trace-lab-${typeof process.getuid === 'function' ? process.getuid() : userInfo().username}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  const mine = typeof process.getuid !== 'function' || info.uid === process.getuid();
  if (!info.isDirectory() || !mine || (process.platform !== 'win32' && (info.mode & 0o077) !== 0)) {
    throw new Error(`${dir} is not a private folder of yours; remove it, or set CTL_SANDBOXES_DIR to a folder of your own.`);
  }
  return dir;
}

/**
 * `owner`: the server's identity and the bridge's id, "4242.1234567-a1b2c3". The folder's identity
 * is kept, so that a sandbox process replacing it later is noticed (confine.ts).
 */
export async function makeSandboxFolder(sandboxesDir: string, owner: string): Promise<string> {
  const folder = await mkdtemp(join(sandboxesDir, `${PREFIX}${owner}-`));
  await pinRoot(folder);
  return folder;
}

/** Kills what still runs from a sandbox and removes its folder (and any snapshot staging beside it). */
export async function reapSandbox(folder: string): Promise<void> {
  await killSandboxProcesses(folder);
  await rm(folder, { recursive: true, force: true, maxRetries: 3 });
}

/** At start: reaps the sandboxes of servers that died without cleaning up. */
export async function reapStaleSandboxes(sandboxesDir: string): Promise<string[]> {
  const names = await readdir(sandboxesDir).catch(() => [] as string[]);
  const stale = names.flatMap((name) => {
    const server = OWNED.exec(name)?.[1];
    return server && !stillRunning(server) ? [join(sandboxesDir, name)] : [];
  });
  await Promise.all(stale.map(reapSandbox));
  return stale;
}

/** When a bridge is gone: reaps every sandbox it made (and their snapshot staging folders). */
export async function reapSandboxesOf(sandboxesDir: string, owner: string): Promise<void> {
  const names = await readdir(sandboxesDir).catch(() => [] as string[]);
  await Promise.all(names.filter((name) => name.startsWith(`${PREFIX}${owner}-`)).map((name) => reapSandbox(join(sandboxesDir, name))));
}
