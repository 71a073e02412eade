/**
 * The declarations the editor loads (src/declarations/): every package the shop's lockfile
 * installs, at its version, with nothing in it TypeScript does not read.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import type { DeclarationsManifest } from '../../src/declarations/manifest.ts';
import { declarationsAsset } from '../support/declarations.ts';

const shop = (file: string) => JSON.parse(readFileSync(new URL(`../../sandboxes/storefront/${file}`, import.meta.url), 'utf8'));
const packageJson = shop('package.json') as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const lockfile = shop('package-lock.json') as { packages: Record<string, { version?: string; optional?: boolean; os?: string[]; cpu?: string[] }> };

let manifest: DeclarationsManifest;
let files: Record<string, string>;
beforeAll(async () => {
  ({ manifest, files } = await declarationsAsset());
}, 300_000);

const paths = () => Object.keys(files);

describe('the declarations asset', () => {
  test("holds the lockfile's packages at the lockfile's versions", () => {
    const locked = Object.entries(lockfile.packages).filter(
      ([path, entry]) => path.startsWith('node_modules/') && !(entry.optional && (entry.os || entry.cpu)),
    );
    expect(manifest.packages).toEqual(Object.fromEntries(locked.map(([path, entry]) => [path, entry.version])));
    for (const [folder, version] of Object.entries(manifest.packages)) {
      if (files[`${folder}/package.json`]) expect(JSON.parse(files[`${folder}/package.json`]!).version, folder).toBe(version);
    }
  });

  test("has types for every package the shop's package.json names: its own declarations or @types", () => {
    const names = [...Object.keys(packageJson.dependencies), ...Object.keys(packageJson.devDependencies)];
    const typed = (folder: string) => paths().some((path) => path.startsWith(`${folder}/`) && /\.d\.[cm]?ts$/.test(path));
    const untyped = names.filter((name) => !typed(`node_modules/${name}`) && !typed(`node_modules/@types/${name.replace(/^@([^/]+)\//, '$1__')}`));
    expect(untyped).toEqual([]);
  });

  test('holds only what TypeScript reads of a package: declarations, and package.json cut to the fields that find them', () => {
    expect(paths().filter((path) => !/\.d\.[cm]?ts$|\/package\.json$/.test(path))).toEqual([]);
    const express = JSON.parse(files['node_modules/@types/express/package.json']!) as Record<string, unknown>;
    expect(Object.keys(express)).toEqual(expect.arrayContaining(['name', 'version', 'types']));
    expect(express).not.toHaveProperty('scripts');
    console.log(
      `declarations asset: ${manifest.files} files, ${(manifest.rawBytes / 2 ** 20).toFixed(1)} MiB raw, ${(manifest.gzipBytes / 2 ** 20).toFixed(1)} MiB gzip`,
    );
  });
});
