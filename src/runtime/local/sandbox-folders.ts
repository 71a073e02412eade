/**
 * Where sandboxes live and how they are cleaned up. Each bridge makes its sandboxes as
 * `ctl-sandbox-<server identity>-<bridge id>-XXXXXX`, so a later server can tell which ones
 * outlived theirs (killed with SIGKILL, a crash, a power cut) and reap them: their processes,
 * then their folder.
 */
import { accessSync, constants, lstatSync, mkdirSync, statfsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pinRoot } from './confine.ts';
import { describeUid } from './loopback-peers.cjs';
import { stillRunning } from './process-identity.ts';
import { killSandboxProcesses } from './sandbox-processes.ts';

const PREFIX = 'ctl-sandbox-';
const OWNED = /^ctl-sandbox-(\d+\.\d+)-/;

/** Why `dir` is not a private folder of this user's (made if missing), or null when it is. */
function notPrivate(dir: string): string | null {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = lstatSync(dir);
    if (info.isSymbolicLink()) return 'it is a symlink';
    if (!info.isDirectory()) return 'it is not a folder';
    if (typeof process.getuid === 'function' && info.uid !== process.getuid()) return `it belongs to ${describeUid(info.uid)}`;
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) return 'other users may open it';
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Linux's tmpfs and ramfs: files in memory. */
const IN_MEMORY = new Set([0x01021994, 0x858458f6]);
/** What a memory-backed folder must have free to take sandboxes (about 60 MB each). */
const ROOM_BYTES = 2 ** 30;

function inMemoryWithRoom(dir: string): boolean {
  try {
    const fs = statfsSync(dir);
    accessSync(dir, constants.W_OK);
    return IN_MEMORY.has(Number(fs.type)) && Number(fs.bavail) * Number(fs.bsize) >= ROOM_BYTES;
  } catch {
    return false;
  }
}

/**
 * Where sandboxes go: a folder in memory where the machine has one with room (the user's runtime
 * folder, $XDG_RUNTIME_DIR, else /dev/shm), else the OS temp folder; TMPDIR, when set, is the
 * user's choice. A sandbox is scratch, reaped when its page goes, and mounting one creates the
 * snapshot's 6,000 files: measured here, 3.4 CPU-s of the kernel's on ext4, 0.1 s in memory.
 */
export function scratchDir(): string {
  if (process.env.TMPDIR) return tmpdir();
  return [process.env.XDG_RUNTIME_DIR, '/dev/shm'].find((dir): dir is string => !!dir && inMemoryWithRoom(dir)) ?? tmpdir();
}

/**
 * The default folder for sandboxes: one per user in the scratch folder (scratchDir), private to
 * them. Anyone may create that name first (or plant a symlink there); such a folder is never used:
 * the sandboxes go to a private folder in the user's cache instead, which no one else can create,
 * and `notice` says so. Every course server of the user finds the same folder (their shop lock
 * is there).
 */
export function defaultSandboxesDir(): { dir: string; notice?: string } {
  // By uid where there is one: a container's user may have no name.
  const id = typeof process.getuid === 'function' ? process.getuid() : userInfo().username;
  const shared = join(scratchDir(), `checkout-trace-lab-${id}`);
  const refused = notPrivate(shared);
  if (!refused) return { dir: shared };
  const own = join(homedir(), '.cache', 'checkout-trace-lab', 'sandboxes');
  const alsoRefused = notPrivate(own);
  if (alsoRefused) {
    throw new Error(`Neither ${shared} (${refused}) nor ${own} (${alsoRefused}) is a private folder of yours; set CTL_SANDBOXES_DIR to one.`);
  }
  return { dir: own, notice: `${shared} is not a private folder of yours (${refused}), so sandboxes are made in ${own} instead.` };
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
