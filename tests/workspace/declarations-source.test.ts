/**
 * After the learner installs, the editor's declarations follow the sandbox's node_modules
 * (src/workspace/typescript/declarations-source.ts): npm's record says what is installed; what
 * differs from the declarations asset is read from the sandbox, the rest stays the asset's.
 */
import { describe, expect, test } from 'vitest';
import type { InstallFiles } from '../../src/declarations/packages.ts';
import { INSTALLED_RECORD, sandboxDeclarations } from '../../src/workspace/typescript/declarations-source.ts';

/** node_modules as a sandbox runtime reads it, from paths and texts. */
function sandboxOf(files: Record<string, string>): InstallFiles {
  return {
    readFile: async (path) => {
      if (!(path in files)) throw new Error(`No such file: ${path}`);
      return files[path]!;
    },
    readdir: async (path) => {
      const children = new Map<string, 'file' | 'directory'>();
      for (const file of Object.keys(files).filter((file) => file.startsWith(`${path}/`))) {
        const [name, ...rest] = file.slice(path.length + 1).split('/');
        children.set(name!, rest.length ? 'directory' : 'file');
      }
      return [...children].map(([name, kind]) => ({ name, kind }));
    },
  };
}

const record = (packages: Record<string, string>) =>
  JSON.stringify({ packages: { '': {}, ...Object.fromEntries(Object.entries(packages).map(([folder, version]) => [folder, { version }])) } });

describe("declarations from the sandbox's node_modules", () => {
  test('a package installed anew, or at another version, is read from the sandbox; one removed is gone; the rest is left to the asset', async () => {
    const sandbox = sandboxOf({
      [INSTALLED_RECORD]: record({ 'node_modules/express': '5.3.0', 'node_modules/@types/express': '5.1.0', 'node_modules/shout': '1.0.0' }),
      'node_modules/@types/express/package.json': '{ "name": "@types/express", "version": "5.1.0", "types": "index.d.ts", "scripts": { "x": "y" } }',
      'node_modules/@types/express/index.d.ts': 'export {};',
      'node_modules/shout/package.json': '{ "name": "shout", "version": "1.0.0", "types": "index.d.ts" }',
      'node_modules/shout/index.d.ts': 'export declare function shout(text: string): string;',
      'node_modules/shout/index.js': 'export const shout = (text) => text;',
      'node_modules/shout/lib/more.d.mts': 'export {};',
      'node_modules/shout/node_modules/inner/index.d.ts': 'export {};',
    });
    const asset = { packages: { 'node_modules/express': '5.3.0', 'node_modules/@types/express': '5.0.3', 'node_modules/left-pad': '1.3.0' } };
    const { replaced, added } = await sandboxDeclarations(sandbox, asset);
    expect(replaced.sort()).toEqual(['node_modules/@types/express', 'node_modules/left-pad']);
    expect(Object.keys(added).sort()).toEqual([
      'node_modules/@types/express/index.d.ts',
      'node_modules/@types/express/package.json',
      'node_modules/shout/index.d.ts',
      'node_modules/shout/lib/more.d.mts',
      'node_modules/shout/package.json',
    ]);
    // Only what finds the declarations is kept of a package.json.
    expect(JSON.parse(added['node_modules/@types/express/package.json']!)).toEqual({ name: '@types/express', version: '5.1.0', types: 'index.d.ts' });
  });

  test('the same packages as the asset add nothing', async () => {
    const sandbox = sandboxOf({ [INSTALLED_RECORD]: record({ 'node_modules/express': '5.3.0' }), 'node_modules/express/package.json': '{}' });
    expect(await sandboxDeclarations(sandbox, { packages: { 'node_modules/express': '5.3.0' } })).toEqual({ replaced: [], added: {} });
  });
});
