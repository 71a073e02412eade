import { writeFile } from 'node:fs/promises';
import type { AstroIntegration } from 'astro';
import { crossOriginIsolationHeaders } from './isolation-headers.ts';

/** `_headers` as Netlify and Cloudflare Pages read it: every path gets the isolation headers. */
export function netlifyHeadersFile(): string {
  const lines = Object.entries(crossOriginIsolationHeaders).map(([name, value]) => `  ${name}: ${value}`);
  return `/*\n${lines.join('\n')}\n`;
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
