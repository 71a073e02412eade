/**
 * `npm run build:snapshot`: builds (or finds in .cache/) the shop's packages snapshot and prints
 * what it holds. `npm run build` does the same as part of the site.
 */
import { buildPackagesSnapshot } from './build.ts';
import { snapshotBuildOptions } from './astro-integration.ts';

const { file, manifest } = await buildPackagesSnapshot({ ...snapshotBuildOptions, log: (line) => console.log(line) });
console.log(`${file}\n${manifest.files} files, ${(manifest.rawBytes / 2 ** 20).toFixed(1)} MiB raw, ${(manifest.gzipBytes / 2 ** 20).toFixed(1)} MiB gzip`);
