/**
 * Puts what is built from the shop's lockfile into the site, under /sandbox/: an immutable file
 * whose name changes with its contents (`packages-<key>.snapshot.gz`), and its manifest
 * (`packages.json`), which says which file to fetch. In `astro dev` the same two are served from
 * the build cache. The packages snapshot is one such asset; the editor's declarations another
 * (src/declarations/).
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AstroIntegration } from 'astro';
import { buildPackagesSnapshot } from './build.ts';
import { type CachedArtifact, mebibytes } from './cached-artifact.ts';
import { type ArtifactManifest, PACKAGES_MANIFEST, SANDBOX_ASSETS_PATH } from './manifest.ts';

// Astro bundles its config's imports, so locate the repo from where the build runs.
const repoRoot = process.cwd();
/** The shop's lockfile, and where its one install for the builders is kept. */
export const sandboxInstall = {
  sandboxDir: join(repoRoot, 'sandboxes', 'storefront'),
  installCacheDir: join(repoRoot, '.cache', 'install'),
};
export const snapshotBuildOptions = {
  ...sandboxInstall,
  cacheDir: join(repoRoot, '.cache', 'snapshot'),
  builderDir: join(repoRoot, 'src', 'snapshot'),
};

/** `build` makes (or finds in the cache) the asset; `manifestName` is its manifest's name under /sandbox/. */
export function sandboxAsset(
  name: string,
  manifestName: string,
  build: (log: (line: string) => void) => Promise<CachedArtifact<ArtifactManifest>>,
): AstroIntegration {
  let built: Promise<CachedArtifact<ArtifactManifest>> | null = null;
  const manifestPath = `${SANDBOX_ASSETS_PATH}${manifestName}`;
  return {
    name: `checkout-trace-lab:${name}`,
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const { file, manifest } = await build((line) => logger.info(line));
        const target = new URL(`.${SANDBOX_ASSETS_PATH}`, dir);
        await mkdir(target, { recursive: true });
        await copyFile(file, new URL(manifest.file, target));
        await writeFile(new URL(manifestName, target), JSON.stringify(manifest));
        logger.info(`${SANDBOX_ASSETS_PATH}${manifest.file}: ${mebibytes(manifest.gzipBytes)} gzip`);
      },
      'astro:server:setup': ({ server, logger }) => {
        server.middlewares.use((req, res, next) => {
          const path = (req.url ?? '').split('?')[0]!;
          if (path !== manifestPath && !path.startsWith(`${SANDBOX_ASSETS_PATH}${name}-`)) return next();
          built ??= build((line) => logger.info(line));
          built
            .then(async ({ file, manifest }) => {
              if (path === manifestPath) res.setHeader('Content-Type', 'application/json').end(JSON.stringify(manifest));
              else if (path === `${SANDBOX_ASSETS_PATH}${manifest.file}`) res.setHeader('Content-Type', 'application/octet-stream').end(await readFile(file));
              else next();
            })
            .catch(next);
        });
      },
    },
  };
}

export const packagesSnapshot = () => sandboxAsset('packages', PACKAGES_MANIFEST, (log) => buildPackagesSnapshot({ ...snapshotBuildOptions, log }));
