/**
 * Puts the packages snapshot into the site: `dist/sandbox/packages-<key>.snapshot.gz` (immutable,
 * its name changes with its contents) and `dist/sandbox/packages.json`, its manifest. In `astro
 * dev` the same two are served from the build cache.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AstroIntegration } from 'astro';
import { buildPackagesSnapshot, type BuiltSnapshot } from './build.ts';
import { PACKAGES_MANIFEST, SANDBOX_ASSETS_PATH } from './manifest.ts';

// Astro bundles its config's imports, so locate the repo from where the build runs.
const repoRoot = process.cwd();
export const snapshotBuildOptions = {
  sandboxDir: join(repoRoot, 'sandboxes', 'storefront'),
  cacheDir: join(repoRoot, '.cache', 'snapshot'),
  builderDir: join(repoRoot, 'src', 'snapshot'),
};

export function packagesSnapshot(): AstroIntegration {
  let built: Promise<BuiltSnapshot> | null = null;
  return {
    name: 'checkout-trace-lab:packages-snapshot',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const { file, manifest } = await buildPackagesSnapshot({ ...snapshotBuildOptions, log: (line) => logger.info(line) });
        const target = new URL(`.${SANDBOX_ASSETS_PATH}`, dir);
        await mkdir(target, { recursive: true });
        await copyFile(file, new URL(manifest.file, target));
        await writeFile(new URL(PACKAGES_MANIFEST, target), JSON.stringify(manifest));
        logger.info(`${SANDBOX_ASSETS_PATH}${manifest.file}: ${(manifest.gzipBytes / 2 ** 20).toFixed(1)} MiB gzip`);
      },
      'astro:server:setup': ({ server, logger }) => {
        server.middlewares.use((req, res, next) => {
          const path = (req.url ?? '').split('?')[0]!;
          if (!path.startsWith(`${SANDBOX_ASSETS_PATH}packages`)) return next();
          built ??= buildPackagesSnapshot({ ...snapshotBuildOptions, log: (line) => logger.info(line) });
          built
            .then(async ({ file, manifest }) => {
              if (path === `${SANDBOX_ASSETS_PATH}${PACKAGES_MANIFEST}`) res.setHeader('Content-Type', 'application/json').end(JSON.stringify(manifest));
              else if (path === `${SANDBOX_ASSETS_PATH}${manifest.file}`) res.setHeader('Content-Type', 'application/octet-stream').end(await readFile(file));
              else next();
            })
            .catch(next);
        });
      },
    },
  };
}
