/**
 * Puts the declarations asset into the site (`/sandbox/declarations-<key>.json.gz` and its manifest
 * `/sandbox/declarations.json`), as the packages snapshot is put there. The editor fetches them
 * once it has opened (src/workspace/typescript/).
 */
import { join } from 'node:path';
import { sandboxAsset, sandboxInstall } from '../snapshot/astro-integration.ts';
import { buildDeclarations } from './build.ts';
import { DECLARATIONS_MANIFEST } from './manifest.ts';

// Astro bundles its config's imports, so locate the repo from where the build runs.
const repoRoot = process.cwd();
export const declarationsBuildOptions = {
  ...sandboxInstall,
  cacheDir: join(repoRoot, '.cache', 'declarations'),
  builderDirs: [join(repoRoot, 'src', 'declarations'), join(repoRoot, 'src', 'snapshot')],
};

export const declarationsAsset = () => sandboxAsset('declarations', DECLARATIONS_MANIFEST, (log) => buildDeclarations({ ...declarationsBuildOptions, log }));
