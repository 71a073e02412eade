// Compiles the shop's TypeScript for plain `node` with esbuild's JavaScript API (its WebAssembly
// build, run as `node <file>`: no native code, no executable files). Used by scripts/run-ts.mjs,
// and by the course's checks to build a copy of the backend.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fingerprint } from './status.mjs';

const posix = (path) => path.split(sep).join('/');
/** An entry's path from the shop's root, without its extension: where its output goes in `outdir`. */
const outputName = (entry) => posix(relative(process.cwd(), resolve(entry))).replace(/\.[cm]?[jt]sx?$/, '');

/** Where an entry's JavaScript lands in `outdir`. */
export const outputOf = (outdir, entry) => join(outdir, `${outputName(entry)}.mjs`);

/**
 * A long-lived esbuild context for `entries`: each rebuild compiles only what changed. Resolves
 * `{ outputsChanged, inputs }`, or rejects with esbuild's errors (`error.errors`).
 */
export async function typeScriptBuild({ entries, outdir }) {
  const esbuild = await import('esbuild');
  const context = await esbuild.context({
    entryPoints: entries.map((entry) => ({ in: entry, out: outputName(entry) })),
    outdir,
    bundle: true,
    // Packages load from node_modules as they are, so Sentry sees the real Express.
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    sourcemap: 'linked',
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  let written = new Map();
  return {
    esbuild,
    async rebuild() {
      const result = await context.rebuild();
      const next = new Map(result.outputFiles.map((file) => [file.path, fingerprint(file.text)]));
      const outputsChanged = next.size !== written.size || [...next].some(([path, print]) => written.get(path) !== print);
      if (outputsChanged) {
        await mkdir(outdir, { recursive: true });
        for (const file of result.outputFiles) {
          if (written.get(file.path) === next.get(file.path)) continue;
          await mkdir(dirname(file.path), { recursive: true });
          await writeFile(file.path, file.contents);
        }
        // Chunks are named by their contents: the old ones are gone from the program.
        for (const path of written.keys()) if (!next.has(path)) await rm(path, { force: true });
        written = next;
      }
      const inputs = Object.keys(result.metafile.inputs).filter((path) => !path.includes('node_modules/'));
      return { outputsChanged, inputs };
    },
    dispose: () => context.dispose(),
  };
}
