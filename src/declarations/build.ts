/**
 * Builds the declarations asset: the type declarations of every package the shop's lockfile
 * installs (collect.ts), as one gzipped JSON file the editor loads after it opens. The packages
 * snapshot leaves declarations out (Node never reads them); this is where the editor gets them.
 * Built once per lockfile (and per version of this builder) into .cache/, then copied.
 */
import { type CachedArtifact, cachedArtifact, mebibytes } from '../snapshot/cached-artifact.ts';
import { installInputs, lockfileInstall } from '../snapshot/install.ts';
import { collectDeclarations } from './collect.ts';
import { DECLARATIONS_MANIFEST, declarationsFileName, type DeclarationsManifest } from './manifest.ts';

export interface DeclarationsBuildOptions {
  /** The sandbox project whose package.json and lockfile are installed. */
  sandboxDir: string;
  /** Where the lockfile's install is kept, shared with the packages snapshot's builder. */
  installCacheDir: string;
  /** Where built assets are kept between builds. */
  cacheDir: string;
  /** The builder's own source folders: a change to them rebuilds. */
  builderDirs: string[];
  log?: (line: string) => void;
}

export type BuiltDeclarations = CachedArtifact<DeclarationsManifest>;

export async function buildDeclarations({
  sandboxDir,
  installCacheDir,
  cacheDir,
  builderDirs,
  log = () => {},
}: DeclarationsBuildOptions): Promise<BuiltDeclarations> {
  const built = await cachedArtifact<DeclarationsManifest>({
    cacheDir,
    inputs: await installInputs(sandboxDir, builderDirs),
    prefix: 'declarations-',
    fileName: declarationsFileName,
    manifestName: DECLARATIONS_MANIFEST,
    make: async () => {
      const { files, packages } = await collectDeclarations(await lockfileInstall(sandboxDir, installCacheDir, log));
      return { raw: Buffer.from(JSON.stringify(files)), files: Object.keys(files).length, manifest: { packages } };
    },
  });
  const { manifest } = built;
  if (built.made) {
    const packages = Object.keys(manifest.packages).length;
    log(
      `declarations ${manifest.file}: ${manifest.files} files of ${packages} packages, ${mebibytes(manifest.rawBytes)} raw, ${mebibytes(manifest.gzipBytes)} gzip, in ${built.seconds.toFixed(1)} s`,
    );
  }
  return { file: built.file, manifest };
}
