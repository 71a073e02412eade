/**
 * Page weight of a lesson page, from the built site (run `npm run build` first):
 * what a learner downloads before the lesson is readable (HTML + CSS + JS in the page), and what
 * the workspace adds once it loads (React island, Monaco, xterm, runtime). Sizes are gzip.
 *   node bench/page-weight.ts [lesson-id]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const lesson = process.argv[2] ?? '01-meet-the-storefront';
const html = readFileSync(`${dist}lessons/${lesson}/index.html`, 'utf8');

const gz = (file: string) => gzipSync(readFileSync(file)).length;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Follows static `import` statements (not dynamic ones) from a built module. */
function staticClosure(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const code = readFileSync(`${dist}${entry.replace(/^\//, '')}`, 'utf8');
  for (const match of code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+\.js)["']/g)) {
    const target = new URL(match[1]!, `http://x${entry}`).pathname;
    staticClosure(target, seen);
  }
  return seen;
}

const css = [...html.matchAll(/<link[^>]+href="([^"]+\.css)"/g)].map((m) => m[1]!);
const pageScripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
const islandEntries = [...html.matchAll(/component-url="([^"]+)"/g), ...html.matchAll(/renderer-url="([^"]+)"/g)].map((m) => m[1]!);
const inlineScripts = [...html.matchAll(/<script(?![^>]*src=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);

const beforeWorkspace = new Set<string>();
for (const script of pageScripts) staticClosure(script, beforeWorkspace);
const island = new Set<string>();
for (const entry of islandEntries) staticClosure(entry, island);
for (const file of beforeWorkspace) island.delete(file);

const all = readdirSync(`${dist}_astro`).filter((f) => f.endsWith('.js'));
const lazy = all.map((f) => `/_astro/${f}`).filter((f) => !beforeWorkspace.has(f) && !island.has(f));
const sum = (files: Iterable<string>) => [...files].reduce((total, f) => total + gz(`${dist}${f.replace(/^\//, '')}`), 0);
const biggestLazy = lazy
  .map((f) => ({ f, size: gz(`${dist}${f.slice(1)}`) }))
  .sort((a, b) => b.size - a.size)
  .slice(0, 5);

const htmlBytes = gzipSync(html).length;
const cssBytes = sum(css);
const inlineBytes = gzipSync(inlineScripts.join('\n')).length;
console.log(`lesson page ${lesson}`);
console.log(`  readable (HTML + CSS):            ${kib(htmlBytes + cssBytes)}  (HTML ${kib(htmlBytes)}, CSS ${kib(cssBytes)})`);
console.log(`  JS before the workspace:          ${kib(sum(beforeWorkspace) + inlineBytes)}  (${beforeWorkspace.size} modules + inline)`);
console.log(`  workspace island (React + UI):    ${kib(sum(island))}  (${island.size} modules)`);
console.log(`  loaded on demand (Monaco, xterm, runtimes): ${kib(sum(lazy))} in ${lazy.length} chunks; largest:`);
for (const { f, size } of biggestLazy) console.log(`    ${kib(size).padStart(10)}  ${f}`);
const workers = all.filter((f) => /worker/i.test(f));
console.log(`  editor workers: ${workers.length} (${kib(workers.reduce((t, f) => t + statSync(`${dist}_astro/${f}`).size, 0))} raw)`);
