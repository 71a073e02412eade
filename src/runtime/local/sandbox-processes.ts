/**
 * Every process a sandbox starts carries `CTL_SANDBOX=<its folder>` in its environment, and its
 * children inherit it. That finds a sandbox's processes wherever they went (a pty's own session, a
 * daemon reparented to init), so they can be killed after the server that started them died, and
 * so a port counts as the sandbox's only when one of them listens on it. Linux reads /proc; on
 * other systems the process groups the bridge started are all there is (see guardian.ts).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { describeUid, listenersOn, ownUid } from './loopback-peers.cjs';

export const SANDBOX_MARKER = 'CTL_SANDBOX';

const numeric = (name: string) => /^\d+$/.test(name);

/** Pids of live processes whose environment marks them as the sandbox in `folder`. */
export async function sandboxProcesses(folder: string): Promise<number[]> {
  const entries = await readdir('/proc').catch(() => [] as string[]);
  const marker = Buffer.from(`\0${SANDBOX_MARKER}=${folder}\0`);
  const found: number[] = [];
  await Promise.all(
    entries.filter(numeric).map(async (pid) => {
      // Other users' processes are unreadable: they are not ours to find anyway.
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => null);
      if (environ && Buffer.concat([Buffer.from([0]), environ]).includes(marker)) found.push(Number(pid));
    }),
  );
  return found.filter((pid) => pid !== process.pid);
}

/** SIGKILLs every process of the sandbox, again until none is left (one may fork meanwhile). */
export async function killSandboxProcesses(folder: string): Promise<void> {
  for (let round = 0; round < 20; round++) {
    const pids = await sandboxProcesses(folder);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Socket inodes a process listens or connects with ("socket:[1234]" links under /proc/PID/fd). */
async function socketInodes(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
  return links.flatMap((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1] ?? []);
}

/** Inodes of TCP sockets listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
async function listeningInodes(port: number): Promise<Set<string>> {
  return new Set(listenersOn(port).map((listener) => listener.inode));
}

/**
 * What listens on a port: its pid and command line where this user may see them, and its owner
 * when that is another user ("user mallory (uid 1001)").
 */
export interface Listener {
  pid?: number;
  command?: string;
  owner?: string;
}

/** Who listens on `port`, or null when nothing does (Linux; elsewhere null: the caller cannot tell). */
export async function listenerOn(port: number): Promise<Listener | null> {
  const listeners = listenersOn(port);
  if (listeners.length === 0) return null;
  const foreign = listeners.find((listener) => listener.uid !== ownUid());
  const owner = foreign ? { owner: describeUid(foreign.uid) } : {};
  const listening = new Set(listeners.map((listener) => listener.inode));
  for (const pid of (await readdir('/proc').catch(() => [] as string[])).filter(numeric).map(Number)) {
    if (!(await socketInodes(pid)).some((inode) => listening.has(inode))) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    return { pid, command: cmdline.split('\0').filter(Boolean).join(' ').slice(0, 120), ...owner };
  }
  return owner;
}

/**
 * Whether one of the sandbox's own processes listens on `port`: true or false on Linux, null
 * where /proc cannot tell (then the caller can only see that something answers).
 */
export async function sandboxListensOn(folder: string, port: number): Promise<boolean | null> {
  if (process.platform !== 'linux') return null;
  const listening = await listeningInodes(port);
  if (listening.size === 0) return false;
  for (const pid of await sandboxProcesses(folder)) {
    if ((await socketInodes(pid)).some((inode) => listening.has(inode))) return true;
  }
  return false;
}
