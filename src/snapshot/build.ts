/**
 * Builds the shop's installed packages into one artifact: a gzipped WebContainer snapshot of
 * node_modules, native-free, pruned, with Sentry's instrumentation applied at build time. The
 * browser mounts it instead of running `npm install`, and the local runtime boots from the same
 * file. Built once per lockfile (and per version of this builder) into .cache/, then copied.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeBinShims } from './bin-shims.ts';
import { type CachedArtifact, cachedArtifact, mebibytes } from './cached-artifact.ts';
import { encodeSnapshot } from './encode.ts';
import { decodeSnapshot, snapshotFiles } from './format.ts';
import { copyInstall, installInputs, lockfileInstall } from './install.ts';
import { instrumentDependencies } from './instrument-dependencies.ts';
import { PACKAGES_MANIFEST, snapshotFileName, type PackagesManifest } from './manifest.ts';
import { findNativeFiles } from './native-scan.ts';
import { prunePackages } from './prune.ts';

export interface BuildOptions {
  /** The sandbox project: its package.json and package-lock.json are what gets installed. */
  sandboxDir: string;
  /** Where the lockfile's install is kept, shared with the declarations' builder. */
  installCacheDir: string;
  /** Where built snapshots are kept between builds. */
  cacheDir: string;
  /** The builder's own source folder: a change to it rebuilds. */
  builderDir: string;
  log?: (line: string) => void;
}

export type BuiltSnapshot = CachedArtifact<PackagesManifest>;

export async function buildPackagesSnapshot({ sandboxDir, installCacheDir, cacheDir, builderDir, log = () => {} }: BuildOptions): Promise<BuiltSnapshot> {
  const built = await cachedArtifact<PackagesManifest>({
    cacheDir,
    inputs: await installInputs(sandboxDir, [builderDir]),
    prefix: 'packages-',
    fileName: snapshotFileName,
    manifestName: PACKAGES_MANIFEST,
    make: async (work) => {
      // It changes the tree (instruments, prunes, writes shims): a copy of the shared install.
      await copyInstall(await lockfileInstall(sandboxDir, installCacheDir, log), work);
      const instrumented = await instrumentDependencies(work);
      log(`instrumented at build time: ${instrumented.map((entry) => entry.file).join(', ') || 'nothing'}`);
      const pruned = await prunePackages(join(work, 'node_modules'));
      log(`pruned ${pruned.files} files and ${pruned.sourceMapComments} source map comments; emptied ${pruned.packagesEmptied.join(', ')}`);
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
      return { raw, files: files.length, manifest: { instrumented: instrumented.map((entry) => entry.file) } };
    },
  });
  const { manifest } = built;
  if (built.made)
    log(
      `snapshot ${manifest.file}: ${manifest.files} files, ${mebibytes(manifest.rawBytes)} raw, ${mebibytes(manifest.gzipBytes)} gzip, in ${built.seconds.toFixed(1)} s`,
    );
  return { file: built.file, manifest };
}
