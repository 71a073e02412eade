/**
 * A process named so that a later reader can tell it is still the same process: its pid plus,
 * on Linux, its start time (a reused pid has another). "4242.1234567" or, elsewhere, "4242.0".
 */
import { readFileSync } from 'node:fs';

function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22, counted after the command name, which sits in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

export function identityOf(pid: number): string {
  return `${pid}.${process.platform === 'linux' ? (startTime(pid) ?? '0') : '0'}`;
}

export const ownIdentity = (): string => identityOf(process.pid);

/** Whether the process an identity names still runs (a pid now used by another process does not count). */
export function stillRunning(identity: string): boolean {
  const [pidText, start] = identity.split('.');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return process.platform !== 'linux' || start === '0' || startTime(pid) === start;
}
