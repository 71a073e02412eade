import { writeFile } from 'node:fs/promises';
import type { AstroIntegration } from 'astro';
import { siteHeaders } from './isolation-headers.ts';

/** Files whose name changes with their contents: cached for good. */
export const IMMUTABLE_PATHS = ['/_astro/', '/sandbox/packages-', '/sandbox/declarations-'];
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** `_headers` as Netlify and Cloudflare Pages read it: every path gets the isolation headers. */
export function netlifyHeadersFile(): string {
  const lines = Object.entries(siteHeaders).map(([name, value]) => `  ${name}: ${value}`);
  const immutable = IMMUTABLE_PATHS.filter((path) => path.startsWith('/sandbox/')).map((path) => `${path}*\n  Cache-Control: ${IMMUTABLE_CACHE_CONTROL}\n`);
  return `/*\n${lines.join('\n')}\n${immutable.join('')}`;
}

/** Writes dist/_headers after every build, so static hosts serve the site cross-origin isolated. */
export function hostHeaders(): AstroIntegration {
  return {
    name: 'checkout-trace-lab:host-headers',
    hooks: {
      'astro:build:done': async ({ dir }) => {
        await writeFile(new URL('_headers', dir), netlifyHeadersFile());
      },
    },
  };
}
