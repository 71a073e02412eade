/**
 * Installs the shop's lockfile into a work folder, as the browser's sandbox gets it: no optional
 * platform binaries (a WebContainer cannot run them), no install scripts. The packages snapshot
 * and the editor's type declarations are both built from such an install.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

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
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-3000)}`))));
  });
}

/** Leaves `work/node_modules` as `npm ci` makes it from the sandbox's package.json and lockfile. */
export async function installLockfile(sandboxDir: string, work: string): Promise<void> {
  await Promise.all([
    copyFile(join(sandboxDir, 'package.json'), join(work, 'package.json')),
    copyFile(join(sandboxDir, 'package-lock.json'), join(work, 'package-lock.json')),
  ]);
  await run('npm', ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], work);
}
