/**
 * After the build, every page's stylesheets are rearranged so nothing but the page's own CSS
 * stands between the learner and the prose:
 *   - CSS that belongs to lazily loaded code (the workspace's, Monaco's, xterm's) is dropped from
 *     the page: Vite's preload helper loads it with its chunk, before that chunk renders;
 *   - what is left (the layout's CSS) is inlined, so the first paint needs no second request.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';

/** Inline a page's own stylesheet only while it stays this small (raw bytes). */
const INLINE_LIMIT = 24 * 1024;

const STYLESHEET = /<link rel="stylesheet" href="(\/_astro\/[^"]+\.css)"\s*\/?>/g;

/** CSS files Vite's preload helper loads with a lazily imported chunk. */
export function lazyStylesheets(scripts: string[]): Set<string> {
  const lazy = new Set<string>();
  for (const code of scripts) for (const match of code.matchAll(/"(_astro\/[^"]+\.css)"/g)) lazy.add(`/${match[1]}`);
  return lazy;
}

export function rearrangeStylesheets(html: string, lazy: Set<string>, read: (href: string) => string | undefined): string {
  return html.replace(STYLESHEET, (tag, href: string) => {
    if (lazy.has(href)) return '';
    const css = read(href);
    return css !== undefined && css.length <= INLINE_LIMIT ? `<style>${css}</style>` : tag;
  });
}

async function filesUnder(dir: string, suffix: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => entry.endsWith(suffix)).map((entry) => join(dir, entry));
}

export function criticalCss(): AstroIntegration {
  return {
    name: 'checkout-trace-lab:critical-css',
    hooks: {
      'astro:build:done': async ({ dir }) => {
        const root = fileURLToPath(dir);
        const scripts = await Promise.all((await filesUnder(join(root, '_astro'), '.js')).map((file) => readFile(file, 'utf8')));
        const lazy = lazyStylesheets(scripts);
        const css = new Map<string, string>();
        for (const file of await filesUnder(join(root, '_astro'), '.css')) css.set(`/_astro/${file.split('/').at(-1)}`, await readFile(file, 'utf8'));
        for (const page of await filesUnder(root, '.html')) {
          const html = await readFile(page, 'utf8');
          await writeFile(
            page,
            rearrangeStylesheets(html, lazy, (href) => css.get(href)),
          );
        }
      },
    },
  };
}
