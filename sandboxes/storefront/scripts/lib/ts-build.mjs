// Compiles the shop's TypeScript for plain `node` with esbuild's JavaScript API (its WebAssembly
// build, run as `node <file>`: no native code, no executable files). Used by scripts/run-ts.mjs,
// and by the course's checks to build a copy of the backend.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fingerprint } from './status.mjs';

const posix = (path) => path.split(sep).join('/');
/** An entry's path from the shop's root, without its extension: where its output goes in `outdir`. */
const outputName = (entry) => posix(relative(process.cwd(), resolve(entry))).replace(/\.[cm]?[jt]sx?$/, '');

/** Where an entry's JavaScript lands in `outdir`. */
export const outputOf = (outdir, entry) => join(outdir, `${outputName(entry)}.mjs`);

/** Where a build notes what it was made from, to be reused while those sources stay as they are. */
const RECORD = 'build.json';

/** Every source a build read, fingerprinted as it is now; null once one is gone. */
async function fingerprints(paths) {
  const prints = {};
  for (const path of paths) {
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) return null;
    prints[path] = fingerprint(text);
  }
  return prints;
}

/**
 * A long-lived esbuild context for `entries`: each rebuild compiles only what changed. The first
 * rebuild reuses what an earlier run built into `outdir` when none of its sources changed since,
 * without starting esbuild at all (its WebAssembly takes a second of CPU to start). Resolves
 * `{ outputsChanged, inputs }`, or rejects with esbuild's errors (`error.errors`).
 */
export function typeScriptBuild({ entries, outdir }) {
  let started = null;
  const esbuild = () =>
    (started ??= (async () => {
      const api = await import('esbuild');
      const context = await api.context({
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
      return { api, context };
    })());
  let written = new Map();
  let firstBuild = true;

  /** The outputs of an earlier build from these very sources, if there are any. */
  async function reuse() {
    const record = JSON.parse(await readFile(join(outdir, RECORD), 'utf8').catch(() => 'null'));
    if (!record || JSON.stringify(record.entries) !== JSON.stringify(entries)) return null;
    const now = await fingerprints(Object.keys(record.inputs));
    if (!now || JSON.stringify(now) !== JSON.stringify(record.inputs)) return null;
    const outputs = await fingerprints(Object.keys(record.outputs));
    if (!outputs || JSON.stringify(outputs) !== JSON.stringify(record.outputs)) return null;
    written = new Map(Object.entries(outputs));
    return { outputsChanged: true, inputs: Object.keys(record.inputs) };
  }

  return {
    async rebuild() {
      if (firstBuild) {
        firstBuild = false;
        const reused = await reuse();
        if (reused) return reused;
      }
      const { context } = await esbuild();
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
      const record = { entries, inputs: await fingerprints(inputs), outputs: Object.fromEntries(written) };
      if (record.inputs) await writeFile(join(outdir, RECORD), JSON.stringify(record));
      return { outputsChanged, inputs };
    },
    /** Starts esbuild ahead of the next change, so that change builds at once. */
    warm: () => esbuild().then(() => undefined),
    /** esbuild's errors as it prints them: file, line, the code and a caret. */
    formatMessages: async (errors) => (await esbuild()).api.formatMessages(errors, { kind: 'error', color: true }),
    /** Ends esbuild's service process: left running while its parent exits, it would print a Go panic. */
    dispose: async () => {
      if (!started) return;
      const { api, context } = await started;
      await context.dispose();
      await api.stop();
    },
  };
}
