/**
 * Builds the shop's installed packages into one artifact: a gzipped WebContainer snapshot of
 * node_modules, native-free, pruned, with Sentry's instrumentation applied at build time. The
 * browser mounts it instead of running `npm install`, and the local runtime boots from the same
 * file. Built once per lockfile (and per version of this builder) into .cache/, then copied.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { writeBinShims } from './bin-shims.ts';
import { encodeSnapshot } from './encode.ts';
import { decodeSnapshot, snapshotFiles } from './format.ts';
import { instrumentDependencies } from './instrument-dependencies.ts';
import { PACKAGES_MANIFEST, snapshotFileName, type PackagesManifest } from './manifest.ts';
import { findNativeFiles } from './native-scan.ts';
import { prunePackages } from './prune.ts';

export interface BuildOptions {
  /** The sandbox project: its package.json and package-lock.json are what gets installed. */
  sandboxDir: string;
  /** Where built snapshots are kept between builds. */
  cacheDir: string;
  /** The builder's own source folder: a change to it rebuilds. */
  builderDir: string;
  log?: (line: string) => void;
}

export interface BuiltSnapshot {
  /** The gzipped snapshot on disk. */
  file: string;
  manifest: PackagesManifest;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

async function builderSource(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.ts')).sort();
  return (await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')))).join('\n');
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

export async function buildPackagesSnapshot({ sandboxDir, cacheDir, builderDir, log = () => {} }: BuildOptions): Promise<BuiltSnapshot> {
  const [packageJson, lockfile, source] = await Promise.all([
    readFile(join(sandboxDir, 'package.json'), 'utf8'),
    readFile(join(sandboxDir, 'package-lock.json'), 'utf8'),
    builderSource(builderDir),
  ]);
  const key = sha256(`${packageJson}\0${lockfile}\0${source}`).slice(0, 16);
  const file = join(cacheDir, snapshotFileName(key));
  const manifestFile = join(cacheDir, `${key}.${PACKAGES_MANIFEST}`);
  if (existsSync(file) && existsSync(manifestFile)) {
    return { file, manifest: JSON.parse(await readFile(manifestFile, 'utf8')) as PackagesManifest };
  }

  const started = Date.now();
  const work = join(cacheDir, `work-${key}-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    await Promise.all([
      copyFile(join(sandboxDir, 'package.json'), join(work, 'package.json')),
      copyFile(join(sandboxDir, 'package-lock.json'), join(work, 'package-lock.json')),
    ]);
    log('installing the shop\u2019s packages (no optional platform binaries, no install scripts)');
    await run('npm', ['ci', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], work);
    const instrumented = await instrumentDependencies(work);
    log(`instrumented at build time: ${instrumented.map((entry) => entry.file).join(', ') || 'nothing'}`);
    const pruned = await prunePackages(join(work, 'node_modules'));
    log(`pruned ${pruned.files} files; emptied ${pruned.packagesEmptied.join(', ')}`);
    const commands = await writeBinShims(join(work, 'node_modules'));
    log(`${commands.length} commands in node_modules/.bin as shims`);

    // The snapshot's root is the sandbox's root, holding node_modules only.
    const tree = join(work, 'tree');
    await mkdir(tree);
    await rename(join(work, 'node_modules'), join(tree, 'node_modules'));
    const raw = await encodeSnapshot(tree);

    // Judge the artifact itself, not the folder it came from.
    const files = [...snapshotFiles(decodeSnapshot(raw))];
    const native = findNativeFiles(files);
    if (native.length)
      throw new Error(`the snapshot would hold native code, which WebContainers cannot run:\n${native.map((n) => `  ${n.path}: ${n.kind}`).join('\n')}`);

    const gzipped = await promisify(gzip)(raw, { level: 9 });
    const manifest: PackagesManifest = {
      key,
      file: snapshotFileName(key),
      gzipBytes: gzipped.byteLength,
      rawBytes: raw.byteLength,
      files: files.length,
      packageJsonSha256: sha256(packageJson),
      lockfileSha256: sha256(lockfile),
      instrumented: instrumented.map((entry) => entry.file),
    };
    await writeFile(`${file}.partial`, gzipped);
    await rename(`${file}.partial`, file);
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    // One snapshot is kept: older ones belong to lockfiles (or builders) that are gone.
    for (const name of await readdir(cacheDir)) {
      if (!name.includes(key) && (name.startsWith('packages-') || name.endsWith(`.${PACKAGES_MANIFEST}`))) await rm(join(cacheDir, name), { force: true });
    }
    log(
      `snapshot ${manifest.file}: ${files.length} files, ${(raw.byteLength / 2 ** 20).toFixed(1)} MiB raw, ${(gzipped.byteLength / 2 ** 20).toFixed(1)} ` +
        `MiB gzip, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return { file, manifest };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
