/**
 * What the site publishes next to the packages snapshot (`/sandbox/packages.json`): which file to
 * fetch, how big it is, and what it was installed from, so a boot skips `npm install` exactly
 * when the learner's package.json and lockfile are the ones the snapshot holds.
 */
export const PACKAGES_MANIFEST = 'packages.json';
/** Where the site serves the workspace's assets: lessons' files, the packages manifest and snapshot. */
export const SANDBOX_ASSETS_PATH = '/sandbox/';

export const snapshotFileName = (key: string) => `packages-${key}.snapshot.gz`;
/** Only names this builder makes: the local runtime opens files by this name. */
export const SNAPSHOT_FILE_NAME = /^packages-[0-9a-f]{16}\.snapshot\.gz$/;

/** What every artifact built from the shop's lockfile says of itself (the packages snapshot, the editor's declarations). */
export interface ArtifactManifest {
  key: string;
  /** File name under /sandbox/, immutable: its name changes with its contents. */
  file: string;
  gzipBytes: number;
  rawBytes: number;
  files: number;
  /** The shop's package.json and lockfile it was installed from. */
  packageJsonSha256: string;
  lockfileSha256: string;
}

export interface PackagesManifest extends ArtifactManifest {
  /** Dependency files Sentry's instrumentation was applied to at build time. */
  instrumented: string[];
}
