/**
 * A pseudo-terminal for the learner's shell without native modules (npm here will not build
 * node-pty): util-linux's `script` runs the command on a fresh pty. Resizing sets the pty's size
 * with `stty` and tells the foreground program with SIGWINCH. Linux only; elsewhere processes get
 * plain pipes.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { RuntimeError } from '../types.ts';
import { childrenOf } from './process-tree.ts';

export const ptyAvailable = process.platform === 'linux' && ['/usr/bin/script', '/bin/script'].some((path) => existsSync(path));

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * `script` arguments that run `command args…` on a pty of the given size. `script` starts the
 * command through a non-interactive shell, which drops variables like PS1, so the caller's own
 * variables are set again right before the command.
 */
export function ptyCommand(command: string, args: string[], size: { cols: number; rows: number }, env: Record<string, string> = {}): [string, string[]] {
  const { cols, rows } = checkedSize(size);
  const assignments = Object.entries(env).map(([name, value]) => quote(`${name}=${value}`));
  const inner = `stty cols ${cols} rows ${rows} 2>/dev/null; exec env ${[...assignments, ...[command, ...args].map(quote)].join(' ')}`;
  return ['script', ['-qfec', inner, '/dev/null']];
}

/** The size goes into a shell command: whole numbers only, whatever the caller checked. */
function checkedSize({ cols, rows }: { cols: unknown; rows: unknown }): { cols: number; rows: number } {
  const fits = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000;
  if (!fits(cols) || !fits(rows))
    throw new RuntimeError(`A terminal size is two whole numbers from 1 to 1000, not ${JSON.stringify({ cols, rows })}.`, 'invalid-request');
  return { cols, rows };
}

/** Resizes the pty that `script` (pid) created for its child. */
export async function resizePty(scriptPid: number, size: { cols: number; rows: number }): Promise<void> {
  const { cols, rows } = checkedSize(size);
  const [child] = await childrenOf(scriptPid);
  if (!child) return;
  const tty = await readlink(`/proc/${child}/fd/0`).catch(() => null);
  if (!tty?.startsWith('/dev/pts/')) return;
  await new Promise<void>((resolve) => execFile('stty', ['-F', tty, 'cols', String(cols), 'rows', String(rows)], () => resolve()));
  try {
    process.kill(child, 'SIGWINCH');
  } catch {
    // it ended meanwhile
  }
}
