/**
 * The packages snapshot for tests: the same builder and cache as the site build (src/snapshot/),
 * so a test's sandbox boots from the very artifact the browser mounts.
 */
import { buildPackagesSnapshot, type BuiltSnapshot } from '../../src/snapshot/build.ts';
import { snapshotBuildOptions } from '../../src/snapshot/astro-integration.ts';
import { SANDBOX_ASSETS_PATH } from '../../src/snapshot/manifest.ts';
import type { PackagesSnapshot } from '../../src/runtime/types.ts';
import { dirname } from 'node:path';

let built: Promise<BuiltSnapshot> | null = null;

export async function packagesSnapshot(): Promise<PackagesSnapshot & { dir: string; file: string }> {
  built ??= buildPackagesSnapshot({ ...snapshotBuildOptions, log: (line) => console.log(`[snapshot] ${line}`) });
  const { file, manifest } = await built;
  return { url: `${SANDBOX_ASSETS_PATH}${manifest.file}`, manifest, dir: dirname(file), file };
}
