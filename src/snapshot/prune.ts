/**
 * What the browser never needs from the shop's installed packages. Pruning keeps the snapshot
 * small; the proof that nothing needed went is that the shop, its tests and every lesson's checks
 * run from the pruned tree (tests/snapshot/, tests/lessons/).
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Source maps, type declarations and build caches: read by editors and bundlers, not by Node. */
const UNUSED_FILE = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo)$/;
/**
 * A compiled file's last line pointing at its source map. With the maps gone, Node still follows
 * each one when the shop runs with --enable-source-maps (so that its own stack traces name its .ts
 * files): about 0.15 CPU-s more for every start of the backend, which loads Sentry and Express.
 */
const SOURCE_MAP_COMMENT = /\n\/\/[#@] sourceMappingURL=[^\s'"`$]+\s*$/;
const SCRIPT = /\.[cm]?js$/;
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
  /** Scripts whose source map comment went with their map. */
  sourceMapComments: number;
  packagesEmptied: string[];
}

async function pruneFiles(dir: string, stats: PruneStats): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await pruneFiles(path, stats);
    else if (UNUSED_FILE.test(entry.name) || (DOCUMENT.test(entry.name) && !LICENCE.test(entry.name))) {
      await rm(path);
      stats.files++;
    } else if (SCRIPT.test(entry.name)) {
      const code = await readFile(path, 'utf8');
      const comment = SOURCE_MAP_COMMENT.exec(code);
      if (comment) {
        await writeFile(path, `${code.slice(0, comment.index)}\n`);
        stats.sourceMapComments++;
      }
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
  const stats: PruneStats = { files: 0, sourceMapComments: 0, packagesEmptied: [] };
  for (const name of UNUSED_PACKAGES) if (await emptyPackage(join(nodeModules, name))) stats.packagesEmptied.push(name);
  await pruneFiles(nodeModules, stats);
  return stats;
}
