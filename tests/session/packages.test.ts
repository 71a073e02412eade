import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { expectedPackageFolders, needsInstall } from '../../src/session/packages.ts';
import type { PackagesManifest } from '../../src/snapshot/manifest.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('npm install runs only when the learner changed the packages', () => {
  const packageJson = '{"name":"shop","dependencies":{"express":"^5.3.0"}}';
  const lockfile = '{"lockfileVersion":3}';
  const manifest = { packageJsonSha256: sha256(packageJson), lockfileSha256: sha256(lockfile) } as PackagesManifest;

  test('the files the snapshot was installed from: no install', async () => {
    expect(await needsInstall({ 'package.json': packageJson, 'package-lock.json': lockfile }, manifest)).toBe(false);
  });

  test('a changed package.json or lockfile: install', async () => {
    expect(await needsInstall({ 'package.json': packageJson.replace('^5.3.0', '^5.4.0'), 'package-lock.json': lockfile }, manifest)).toBe(true);
    expect(await needsInstall({ 'package.json': packageJson, 'package-lock.json': `${lockfile}\n` }, manifest)).toBe(true);
    expect(await needsInstall({ 'package.json': packageJson }, manifest)).toBe(true);
  });
});

describe("an install's progress counts the packages this machine will get", () => {
  test('platform-specific optional binaries are not counted; everything else is, once', () => {
    const lockfile = JSON.stringify({
      packages: {
        '': { name: 'shop' },
        'node_modules/express': { version: '5.3.0' },
        'node_modules/@sentry/node': { version: '11.12.0' },
        'node_modules/esbuild': { version: '0.28.2', optionalDependencies: { '@esbuild/linux-x64': '0.28.2' } },
        'node_modules/@esbuild/linux-x64': { version: '0.28.2', optional: true, os: ['linux'], cpu: ['x64'] },
        'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true, os: ['darwin'], cpu: ['arm64'] },
        'node_modules/fsevents': { version: '2.3.3', optional: true, os: ['darwin'] },
        'node_modules/express/node_modules/debug': { version: '4.4.0' },
      },
    });
    expect([...expectedPackageFolders(lockfile)].sort()).toEqual(['@sentry/node', 'esbuild', 'express']);
  });

  test('a lockfile that is not JSON counts nothing rather than failing the boot', () => {
    expect(expectedPackageFolders('{ broken').size).toBe(0);
    expect(expectedPackageFolders(undefined).size).toBe(0);
  });
});
