/**
 * Whether a sandbox needs `npm install`: only when the learner's package.json or lockfile differ
 * from the ones the packages snapshot was installed from. And, when it does, how far along it is.
 */
import type { PackagesManifest } from '../snapshot/manifest.ts';
import type { FileMap } from '../runtime/types.ts';

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The manifest of what was built from the shop's package.json and lockfile: the packages snapshot, the editor's declarations. */
type InstalledFrom = Pick<PackagesManifest, 'packageJsonSha256' | 'lockfileSha256'>;

export async function needsInstall(files: FileMap, manifest: InstalledFrom): Promise<boolean> {
  const [packageJson, lockfile] = await Promise.all([sha256(files['package.json'] ?? ''), sha256(files['package-lock.json'] ?? '')]);
  return packageJson !== manifest.packageJsonSha256 || lockfile !== manifest.lockfileSha256;
}

interface LockedPackage {
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

/**
 * Top-level package folders an install will create, to measure its progress. Platform-specific
 * optional packages (native binaries for one OS or CPU) are left out: on any one machine most of
 * them are skipped, and counting them would leave the bar short of full.
 */
export function expectedPackageFolders(lockfile: string | undefined): Set<string> {
  if (!lockfile) return new Set();
  try {
    const packages = (JSON.parse(lockfile) as { packages?: Record<string, LockedPackage> }).packages ?? {};
    return new Set(
      Object.entries(packages)
        .filter(([, entry]) => !(entry.optional && (entry.os || entry.cpu)))
        .map(([path]) => /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(path)?.[1])
        .filter((name): name is string => Boolean(name)),
    );
  } catch {
    return new Set();
  }
}
