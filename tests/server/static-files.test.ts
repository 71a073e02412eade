import { describe, expect, test } from 'vitest';
import { resolveStaticPath } from '../../src/server/static-files.ts';

describe('the static file server stays inside dist/', () => {
  const root = '/srv/site/dist';
  test('maps pages and folders to their files', () => {
    expect(resolveStaticPath(root, '/')).toBe('/srv/site/dist/index.html');
    expect(resolveStaticPath(root, '/lessons/01-meet-the-storefront/')).toBe('/srv/site/dist/lessons/01-meet-the-storefront/index.html');
    expect(resolveStaticPath(root, '/_astro/app.js?v=1')).toBe('/srv/site/dist/_astro/app.js');
    expect(resolveStaticPath(`${root}/`, '/_astro/app.js')).toBe('/srv/site/dist/_astro/app.js');
  });
  test('refuses paths that climb out, encoded or not, and NUL bytes', () => {
    expect(resolveStaticPath(root, '/../secret')).toBeNull();
    expect(resolveStaticPath(root, '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveStaticPath(root, '/..%2fdist-other/x')).toBeNull();
    expect(resolveStaticPath(root, '/a%00.html')).toBeNull();
    expect(resolveStaticPath(root, '/%E0%A4%A')).toBeNull();
  });
});
