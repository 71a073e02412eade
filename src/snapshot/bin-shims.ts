/**
 * npm links each package's command into node_modules/.bin as a symlink; a WebContainer snapshot
 * cannot hold symlinks. So each command becomes a small script that loads the package's own
 * entry, which `npm run`, `npx` and the learner's shell run like the link it replaces.
 */
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';

interface PackageJson {
  name?: string;
  bin?: string | Record<string, string>;
}

/** Package folders directly inside a node_modules folder (scoped ones included). */
async function packageFolders(nodeModules: string): Promise<string[]> {
  const folders: string[] = [];
  for (const entry of await readdir(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    if (entry.name.startsWith('@')) {
      for (const scoped of await readdir(join(nodeModules, entry.name), { withFileTypes: true })) {
        if (scoped.isDirectory()) folders.push(`${entry.name}/${scoped.name}`);
      }
    } else folders.push(entry.name);
  }
  return folders;
}

/** The script that stands in for `.bin/<name>`: valid as CommonJS and as ESM, resolved from its own folder. */
export function binShim(target: string): string {
  return `#!/usr/bin/env node\n// ${target}: a file, not a symlink, so that it fits a WebContainer snapshot.\nimport(${JSON.stringify(target)});\n`;
}

/** Replaces every node_modules/.bin (nested ones too) with shims; returns the commands written. */
export async function writeBinShims(nodeModules: string): Promise<string[]> {
  const written: string[] = [];
  const bin = join(nodeModules, '.bin');
  await rm(bin, { recursive: true, force: true });
  for (const folder of await packageFolders(nodeModules)) {
    const dir = join(nodeModules, folder);
    if ((await lstat(dir)).isSymbolicLink()) continue;
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8').catch(() => '{}')) as PackageJson;
    const commands = typeof manifest.bin === 'string' ? { [(manifest.name ?? folder).split('/').at(-1)!]: manifest.bin } : (manifest.bin ?? {});
    for (const [name, file] of Object.entries(commands)) {
      if (!/^[\w.-]+$/.test(name) || !existsSync(join(dir, file))) continue; // an emptied package's command is dropped
      await mkdir(bin, { recursive: true });
      const shim = join(bin, name);
      await writeFile(shim, binShim(`../${posix.join(folder, file)}`));
      await chmod(shim, 0o755);
      written.push(name);
    }
    if (existsSync(join(dir, 'node_modules'))) written.push(...(await writeBinShims(join(dir, 'node_modules'))));
  }
  return written;
}
