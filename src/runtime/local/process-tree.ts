import { readFile } from 'node:fs/promises';

/** A process's direct children (Linux /proc; elsewhere none). */
export async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter(Boolean).map(Number);
}

/** A process and everything it started (Linux /proc; elsewhere just the process). */
export async function processTree(pid: number): Promise<number[]> {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(await childrenOf(all[i]!)));
  return all;
}

function signal(pids: number[], name: NodeJS.Signals) {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends a process with all its descendants: its process group and every descendant found (a pty
 * puts the shell in a session of its own), SIGTERM first, SIGKILL after a grace period.
 */
export async function killTree(pid: number, graceMs = 1500): Promise<void> {
  const tree = await processTree(pid);
  signal([-pid], 'SIGTERM');
  signal(tree, 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, graceMs));
  const left = (await Promise.all(tree.map(processTree))).flat();
  signal([-pid], 'SIGKILL');
  signal(left, 'SIGKILL');
}

/** Synchronous last resort when the server itself exits. */
export function killGroupNow(pid: number) {
  signal([-pid], 'SIGKILL');
}
