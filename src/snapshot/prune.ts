/**
 * What the browser never needs from the shop's installed packages. Pruning keeps the snapshot
 * small; the proof that nothing needed went is that the shop, its tests and every lesson's checks
 * run from the pruned tree (tests/snapshot/, tests/lessons/).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Source maps, type declarations and build caches: read by editors and bundlers, not by Node. */
const UNUSED_FILE = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo)$/;
/** Prose. Licences and notices stay: the snapshot redistributes these packages. */
const DOCUMENT = /\.(md|markdown)$/i;
const LICENCE = /^(licen[cs]e|notice|copying)/i;

/**
 * Installed as dependencies of @sentry/node, never loaded by the shop: they serve Sentry's bundler
 * plugins (source map upload, build-time annotations), and oxc-parser would need a native binding.
 * Their package.json stays, so npm still sees them installed.
 */
export const UNUSED_PACKAGES = ['sentry', '@sentry/bundler-plugins', 'oxc-parser'];

export interface PruneStats {
  files: number;
  packagesEmptied: string[];
}

async function pruneFiles(dir: string, stats: PruneStats): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await pruneFiles(path, stats);
    else if (UNUSED_FILE.test(entry.name) || (DOCUMENT.test(entry.name) && !LICENCE.test(entry.name))) {
      await rm(path);
      stats.files++;
    }
  }
}

/** Empties a package down to its package.json and licence. */
async function emptyPackage(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries) return false;
  for (const entry of entries) {
    if (entry.name === 'package.json' || LICENCE.test(entry.name)) continue;
    await rm(join(dir, entry.name), { recursive: true, force: true });
  }
  return true;
}

export async function prunePackages(nodeModules: string): Promise<PruneStats> {
  const stats: PruneStats = { files: 0, packagesEmptied: [] };
  for (const name of UNUSED_PACKAGES) if (await emptyPackage(join(nodeModules, name))) stats.packagesEmptied.push(name);
  await pruneFiles(nodeModules, stats);
  return stats;
}
