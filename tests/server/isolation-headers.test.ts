import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { crossOriginIsolationHeaders, siteHeaders } from '../../src/server/isolation-headers.ts';
import { netlifyHeadersFile } from '../../src/server/host-headers.ts';

// WebContainers only boot on a cross-origin isolated page, wherever the site is deployed.
describe('cross-origin isolation on every host', () => {
  test('the headers isolate the page', () => {
    expect(crossOriginIsolationHeaders['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(['require-corp', 'credentialless']).toContain(crossOriginIsolationHeaders['Cross-Origin-Embedder-Policy']);
  });

  test('Netlify and Cloudflare Pages get them for every path through _headers', () => {
    const file = netlifyHeadersFile();
    expect(file.split('\n')[0]).toBe('/*');
    for (const [name, value] of Object.entries(siteHeaders)) expect(file).toContain(`  ${name}: ${value}\n`);
  });

  test('vercel.json sends exactly the same headers for every path', () => {
    const config = JSON.parse(readFileSync(new URL('../../vercel.json', import.meta.url), 'utf8')) as {
      headers: { source: string; headers: { key: string; value: string }[] }[];
    };
    const all = config.headers.find((rule) => rule.source === '/(.*)');
    expect(Object.fromEntries(all!.headers.map(({ key, value }) => [key, value]))).toEqual(siteHeaders);
  });
});
