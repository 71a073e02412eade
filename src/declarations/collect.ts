/**
 * Build time: the declarations of every package an install holds, as the editor's TypeScript
 * reads them (packages.ts).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installedPackages, packageDeclarations, type InstallFiles } from './packages.ts';

export interface CollectedDeclarations {
  /** By path from the install's root: `node_modules/@types/node/index.d.ts`. */
  files: Record<string, string>;
  /** Every installed package folder and its version. */
  packages: Record<string, string>;
}

/** Reads the declarations of every package installed under `root/node_modules`. */
export async function collectDeclarations(root: string): Promise<CollectedDeclarations> {
  const onDisk: InstallFiles = {
    readdir: async (path) =>
      (await readdir(join(root, path), { withFileTypes: true })).map((entry) => ({ name: entry.name, kind: entry.isDirectory() ? 'directory' : 'file' })),
    readFile: (path) => readFile(join(root, path), 'utf8'),
  };
  const packages = installedPackages(await onDisk.readFile('node_modules/.package-lock.json'));
  const files: Record<string, string> = {};
  // A package the lockfile lists for another platform is not installed (optional dependencies are left out).
  for (const folder of Object.keys(packages).sort())
    if (existsSync(join(root, folder, 'package.json'))) Object.assign(files, await packageDeclarations(onDisk, folder));
  return { files, packages };
}
