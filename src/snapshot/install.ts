/**
 * Installs the shop's lockfile as the browser's sandbox gets it: no optional platform binaries (a
 * WebContainer cannot run them), no install scripts. The packages snapshot and the editor's type
 * declarations are both built from this one install, kept in a cache folder per lockfile: `npm ci`
 * takes 13 CPU-s, a copy of its tree half a second.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

const NPM_CI = ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

async function sourceOf(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.ts')).sort();
  return (await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')))).join('\n');
}

export interface InstallInputs {
  /** Names what is built from the install: 16 hex digits that change with the lockfile, package.json or the builder. */
  key: string;
  packageJsonSha256: string;
  lockfileSha256: string;
}

/** What a build from an install depends on: the sandbox's package.json and lockfile, and the builder's own source folders. */
export async function installInputs(sandboxDir: string, builderDirs: string[]): Promise<InstallInputs> {
  const [packageJson, lockfile, ...sources] = await Promise.all([
    readFile(join(sandboxDir, 'package.json'), 'utf8'),
    readFile(join(sandboxDir, 'package-lock.json'), 'utf8'),
    ...builderDirs.map(sourceOf),
  ]);
  return {
    key: sha256([packageJson, lockfile, ...sources].join('\0')).slice(0, 16),
    packageJsonSha256: sha256(packageJson!),
    lockfileSha256: sha256(lockfile!),
  };
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    // npm says what went wrong first, and its usage and log path after.
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(0, 3000)}`))));
  });
}

/** Whether process `pid` is running. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process that took `lock` may still be installing. An empty lock is being written, unless it is old. */
async function lockHeld(lock: string): Promise<boolean> {
  const pid = Number(await readFile(lock, 'utf8').catch(() => ''));
  if (pid) return alive(pid);
  const since = await stat(lock).then(
    (found) => Date.now() - found.mtimeMs,
    () => null,
  );
  return since !== null && since < 10_000;
}

/**
 * The folder whose `node_modules` is `npm ci` of the sandbox's package.json and lockfile, under
 * `cacheDir`: installed by the first caller, found by the rest. Builders run in separate processes
 * (npm test builds both assets side by side), so one installs while the others wait on its lock;
 * a lock whose process is gone is taken over. Read it, never change it: copy it first (copyInstall).
 */
export async function lockfileInstall(sandboxDir: string, cacheDir: string, log: (line: string) => void = () => {}): Promise<string> {
  const [packageJson, lockfile] = await Promise.all(['package.json', 'package-lock.json'].map((name) => readFile(join(sandboxDir, name), 'utf8')));
  const key = sha256([packageJson, lockfile, NPM_CI.join(' ')].join('\0')).slice(0, 16);
  const installed = join(cacheDir, key);
  const lock = `${installed}.lock`;
  await mkdir(cacheDir, { recursive: true });
  let waited = false;
  while (!existsSync(installed)) {
    try {
      await writeFile(lock, '', { flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!waited) log('waiting for another build\u2019s install of the shop\u2019s packages');
      waited = true;
      if (await lockHeld(lock)) await sleep(200);
      else await rm(lock, { force: true });
      continue;
    }
    try {
      await writeFile(lock, String(process.pid));
      log('installing the shop\u2019s packages (no optional platform binaries, no install scripts)');
      // Only the newest install is kept (older ones belong to lockfiles that are gone), and no
      // half-made one whose maker is gone.
      for (const name of await readdir(cacheDir)) {
        const [, folderKey, pid] = /^([0-9a-f]{16})(?:\.partial-(\d+))?$/.exec(name) ?? [];
        if (folderKey && (pid ? !alive(Number(pid)) : folderKey !== key)) await rm(join(cacheDir, name), { recursive: true, force: true });
      }
      const work = `${installed}.partial-${process.pid}`;
      await mkdir(work);
      try {
        await Promise.all(['package.json', 'package-lock.json'].map((name) => copyFile(join(sandboxDir, name), join(work, name))));
        await run('npm', NPM_CI, work);
        // Another process that took a lock it judged abandoned may have finished first: then theirs is kept.
        await rename(work, installed).catch((error) => {
          if (!existsSync(installed)) throw error;
        });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    } finally {
      await rm(lock, { force: true });
    }
  }
  return installed;
}

/** Copies an install's `node_modules` into the folder `into` (which has none), to be changed there. `cp` takes 0.5 CPU-s; Node's fs.cp took 10. */
export async function copyInstall(installed: string, into: string): Promise<void> {
  await run('cp', ['-R', join(installed, 'node_modules'), join(into, 'node_modules')], into);
}
