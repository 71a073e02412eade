/**
 * Build-time instrumentation of the shop's dependencies, the way Sentry v11 documents for
 * runtimes without module loader hooks ("With a Bundler": instrument dependencies at build time
 * instead of with `--import`). A WebContainer's Node may lack `module.register`, and without it
 * @sentry/node cannot inject its diagnostics channels into Express's router at load time, so
 * requests would be traced as a bare "GET" with no route. Here Sentry's own transformer
 * (@sentry/server-utils' load hook) rewrites those files once, in the snapshot.
 *
 * Each rewritten module also announces itself to the SDK, as Sentry's bundler plugins make it do,
 * but only when Sentry was loaded first: that is the rule lesson 2 teaches ("load the SDK before
 * the app"), and it keeps the shop from loading Sentry before the learner adds it.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface Instrumentation {
  /** filePath is a path inside the package, or a pattern for several. */
  module: { name: string; filePath: string | RegExp };
}

export interface InstrumentedFile {
  module: string;
  file: string;
}

/** The line that tells @sentry/node the module's channels exist (see orchestrionModuleInjected). */
export function announceInjected(moduleName: string, format: 'commonjs' | 'module'): string {
  const name = JSON.stringify(moduleName);
  return format === 'module'
    ? `if (globalThis.__SENTRY__) import("@sentry/server-utils").then((sentry) => sentry.orchestrionModuleInjected(${name}));`
    : `if (globalThis.__SENTRY__) require("@sentry/server-utils").orchestrionModuleInjected(${name});`;
}

/** How Sentry's transformer reaches for tracing channels in a module it rewrote (so far all CommonJS). */
const CHANNEL_LOOKUP = /^const tr_ch_apm_dc = require\("diagnostics_channel"\);\nconst \{tracingChannel: tr_ch_apm_tracingChannel\} = tr_ch_apm_dc;$/m;

/**
 * The same lookup, guarded: where Node has no diagnostics_channel or no tracingChannel (an
 * in-browser Node may lack them), each channel is one nobody listens to, and the module runs as
 * it was written (every traced call checks for listeners first). Without the guard, Express would
 * fail to load and the shop would not start at all.
 */
const GUARDED_LOOKUP = [
  'let tr_ch_apm_dc;',
  'try { tr_ch_apm_dc = require("diagnostics_channel"); } catch { tr_ch_apm_dc = {}; }',
  'const tr_ch_apm_tracingChannel = typeof tr_ch_apm_dc.tracingChannel === "function" ? tr_ch_apm_dc.tracingChannel : () => {',
  '  const quiet = { hasSubscribers: false };',
  '  return { start: quiet, end: quiet, asyncStart: quiet, asyncEnd: quiet, error: quiet };',
  '};',
].join('\n');

/** Guards the rewritten module's tracing-channel lookup; fails the build when the transformer's output no longer looks as expected. */
export function guardChannelLookup(code: string, file: string): string {
  if (!CHANNEL_LOOKUP.test(code))
    throw new Error(`${file}: Sentry's transform no longer starts with the tracing-channel lookup this build guards; update CHANNEL_LOOKUP`);
  return code.replace(CHANNEL_LOOKUP, GUARDED_LOOKUP);
}

async function moduleFormat(file: string, packageDir: string): Promise<'commonjs' | 'module'> {
  if (file.endsWith('.mjs')) return 'module';
  if (file.endsWith('.cjs')) return 'commonjs';
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as { type?: string };
  return manifest.type === 'module' ? 'module' : 'commonjs';
}

async function filesOf(packageDir: string, filePath: string | RegExp): Promise<string[]> {
  if (typeof filePath === 'string') return existsSync(join(packageDir, filePath)) ? [filePath] : [];
  if (!existsSync(packageDir)) return [];
  const all = await readdir(packageDir, { recursive: true });
  return all.map((path) => path.split('\\').join('/')).filter((path) => !path.includes('node_modules/') && filePath.test(path));
}

/** Rewrites every installed file Sentry instruments; returns what it rewrote. */
export async function instrumentDependencies(projectDir: string): Promise<InstrumentedFile[]> {
  const require = createRequire(join(projectDir, 'package.json'));
  const { SENTRY_RUNTIME_INSTRUMENTATIONS } = require('@sentry/server-utils/orchestrion/config') as { SENTRY_RUNTIME_INSTRUMENTATIONS: Instrumentation[] };
  const { createLoadHookTransform } = require('@sentry/server-utils/orchestrion/load-hook') as {
    createLoadHookTransform: (options: object) => (filePath: string, code: string) => string | undefined;
  };
  const transform = createLoadHookTransform({});
  const done: InstrumentedFile[] = [];
  const seen = new Set<string>();
  for (const { module } of SENTRY_RUNTIME_INSTRUMENTATIONS) {
    const packageDir = join(projectDir, 'node_modules', module.name);
    for (const relative of await filesOf(packageDir, module.filePath)) {
      const file = join(packageDir, relative);
      if (seen.has(file)) continue;
      seen.add(file);
      const rewritten = transform(file, await readFile(file, 'utf8'));
      if (!rewritten) continue; // an installed version outside the instrumented range
      // The announcement must find the SDK from where the module lives.
      createRequire(file).resolve('@sentry/server-utils');
      const format = await moduleFormat(file, packageDir);
      await writeFile(file, `${guardChannelLookup(rewritten, file)}\n${announceInjected(module.name, format)}\n`);
      done.push({ module: module.name, file: `${module.name}/${relative}` });
    }
  }
  return done;
}
