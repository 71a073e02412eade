/**
 * The one install of the shop's lockfile that both sandbox assets are built from: made once while
 * builders in other processes wait, taken over when its maker died, and nothing half-made left
 * when npm fails. On a lockfile with no packages, so npm needs no registry.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, test } from 'vitest';
import { lockfileInstall } from '../../src/snapshot/install.ts';

const INSTALL_MODULE = new URL('../../src/snapshot/install.ts', import.meta.url).href;

function tinySandbox(lockfile: object = { lockfileVersion: 3, requires: true, packages: { '': { name: 'tiny', version: '1.0.0' } } }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-lockfile-install-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0' }));
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', ...lockfile }));
  return dir;
}

/** lockfileInstall in a process of its own: what it logged, and the folder it answered. */
function installInAnotherProcess(sandboxDir: string, cacheDir: string): Promise<{ log: string[]; installed: string }> {
  const script = `const { lockfileInstall } = await import(${JSON.stringify(INSTALL_MODULE)});
    const log = []; const installed = await lockfileInstall(process.argv[1], process.argv[2], (line) => log.push(line));
    console.log(JSON.stringify({ log, installed }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, sandboxDir, cacheDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`)))));
}

describe("the shop's lockfile, installed once for both builders", () => {
  test('two builders in separate processes asking at once share one npm ci', async () => {
    const sandbox = tinySandbox();
    const cache = join(sandbox, 'cache');
    const [first, second] = await Promise.all([installInAnotherProcess(sandbox, cache), installInAnotherProcess(sandbox, cache)]);
    expect(first.installed).toBe(second.installed);
    expect(existsSync(join(first.installed, 'package-lock.json'))).toBe(true);
    const installs = [...first.log, ...second.log].filter((line) => line.startsWith('installing'));
    expect(installs).toHaveLength(1);
    // Asked again, it is found: nothing is installed.
    const log: string[] = [];
    expect(await lockfileInstall(sandbox, cache, (line) => log.push(line))).toBe(first.installed);
    expect(log).toEqual([]);
  });

  test('a builder waits while another holds the lock, and takes over a lock whose process is gone', async () => {
    const sandbox = tinySandbox();
    const cache = join(sandbox, 'cache');
    // Once to learn the lock's name, then the install is removed.
    const installed = await lockfileInstall(sandbox, cache);
    execFileSync('rm', ['-rf', installed]);
    writeFileSync(`${installed}.lock`, String(process.pid));
    let done = false;
    const waiting = lockfileInstall(sandbox, cache).then((dir) => {
      done = true;
      return dir;
    });
    await sleep(1500);
    expect(done, 'installed while a live process held the lock').toBe(false);
    // The holder dies without removing its lock: a pid no process has any more.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('close', resolve));
    writeFileSync(`${installed}.lock`, String(dead.pid));
    mkdirSync(`${installed}.partial-${dead.pid}`);
    expect(await waiting).toBe(installed);
    expect(readdirSync(cache), 'the lock and the dead install are gone').toEqual([basename(installed)]);
  });

  test("when npm fails, the error is npm's and nothing half-made or locked is left", async () => {
    // A lockfile npm refuses: its one package is a link to a folder that is not there.
    const missing = { dependencies: { missing: 'file:./missing' } };
    const sandbox = tinySandbox({
      lockfileVersion: 3,
      packages: { '': { name: 'tiny', version: '1.0.0', ...missing }, 'node_modules/missing': { resolved: 'missing', link: true } },
    });
    writeFileSync(join(sandbox, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.0.0', ...missing }));
    const cache = join(sandbox, 'cache');
    await expect(lockfileInstall(sandbox, cache)).rejects.toThrow(/npm ci .*failed \(exit 1\):\nnpm error code EUSAGE[\s\S]*package-lock\.json/);
    expect(readdirSync(cache)).toEqual([]);
  });
});
