/**
 * Another user of the same machine, for attack tests: a real second Unix account (made here when
 * the tests run as root, as CI does) running real programs against the learner's course server
 * and shop over loopback. Where no such account can be had, `otherUser.skip` says why, for
 * `describe.skipIf(otherUser.skip)`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OTHER_USER = 'ctl-attacker';

function prepare(): { uid: number; skip: false } | { uid: -1; skip: string } {
  if (process.platform !== 'linux') return { uid: -1, skip: 'attacks as another user are run on Linux only' };
  const existing = spawnSync('id', ['-u', OTHER_USER], { encoding: 'utf8' });
  if (existing.status === 0) return { uid: Number(existing.stdout.trim()), skip: false };
  if (process.getuid?.() !== 0)
    return { uid: -1, skip: `no user ${OTHER_USER}, and only root may make one (CI runs as root; locally: sudo useradd --system ${OTHER_USER})` };
  const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER], { encoding: 'utf8' });
  if (made.status !== 0) return { uid: -1, skip: `useradd ${OTHER_USER} failed: ${made.stderr || made.error?.message}` };
  const id = spawnSync('id', ['-u', OTHER_USER], { encoding: 'utf8' });
  return { uid: Number(id.stdout.trim()), skip: false };
}

const prepared = prepare();
const canSwitch = prepared.skip === false && spawnSync('runuser', ['--help'], { encoding: 'utf8' }).status === 0;

/** The other user's uid, and why attacks cannot run here (false when they can). */
export const otherUser: { uid: number; skip: string | false } = {
  uid: prepared.uid,
  skip: prepared.skip !== false ? prepared.skip : canSwitch ? false : 'runuser is not available to switch to another user',
};

/** A folder the other user may read, for their scripts. */
function scriptFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-attack-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** The other user's programs still running: none outlives the test process. */
const running = new Set<(signal: NodeJS.Signals) => boolean>();
process.once('exit', () => {
  for (const kill of running) kill('SIGKILL');
});

/**
 * Starts `source` (an ES module) as the other user, with the same Node, no environment of the
 * learner's (HOME and PATH only) and `env`. Its stdout and stderr are collected in `output()`.
 */
export function spawnAsOtherUser(source: string, env: Record<string, string> = {}): ChildProcess & { output: () => string } {
  if (otherUser.skip) throw new Error(otherUser.skip);
  const file = join(scriptFolder(), 'attack.mjs');
  writeFileSync(file, source, { mode: 0o644 });
  const vars = Object.entries({ HOME: '/tmp', PATH: '/usr/bin:/bin', ...env }).map(([name, value]) => `${name}=${value}`);
  // Its own process group: runuser passes no SIGKILL on, so killing runuser alone would leave the
  // other user's program running (holding a shop port for every test after it).
  const child = spawn('runuser', ['-u', OTHER_USER, '--', 'env', '-i', ...vars, process.execPath, file], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killGroup = (signal: NodeJS.Signals | number = 'SIGTERM') => {
    try {
      process.kill(-child.pid!, signal);
      return true;
    } catch {
      return false;
    }
  };
  running.add(killGroup);
  child.once('exit', () => {
    killGroup('SIGKILL'); // whatever it started dies with it
    running.delete(killGroup);
  });
  return Object.assign(child, { output: () => output, kill: killGroup });
}

/** Runs `source` as the other user to its end; resolves with what it printed (a script prints JSON last). */
export function runAsOtherUser(source: string, env: Record<string, string> = {}, timeoutMs = 30_000): Promise<string> {
  const child = spawnAsOtherUser(source, env);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the other user's script did not end within ${timeoutMs} ms:\n${child.output()}`));
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(child.output());
    });
  });
}

/** The last line a script printed, as JSON. */
export function lastJson<T>(output: string): T {
  const lines = output.trim().split('\n');
  try {
    return JSON.parse(lines.at(-1)!) as T;
  } catch {
    throw new Error(`the other user's script printed no JSON:\n${output}`);
  }
}

/** Resolves once the other user's program printed `pattern` (a listener saying it listens, say). */
export async function untilPrinted(child: ChildProcess & { output: () => string }, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the other user's program never printed ${pattern}:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
