#!/usr/bin/env node
// node scripts/after-mount.mjs: run once right after the shop's files are put in place (the course
// runs it in both of its runtimes). An in-browser WebContainer's file system keeps no file modes,
// so nothing arrives executable: this marks the package commands in node_modules/.bin as programs
// again, for `npx vitest` and the like in the Shell. Nothing the shop needs relies on it: its npm
// scripts run `node <file>`.
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';

async function binFolders(nodeModules) {
  const found = [];
  const entries = await readdir(nodeModules, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const path = join(nodeModules, entry.name);
    if (entry.name === '.bin') found.push(path);
    else if (entry.name.startsWith('@')) for (const scoped of await readdir(path).catch(() => [])) found.push(...(await binFolders(join(path, scoped, 'node_modules'))));
    else found.push(...(await binFolders(join(path, 'node_modules'))));
  }
  return found;
}

let marked = 0;
for (const folder of await binFolders('node_modules')) {
  for (const name of await readdir(folder)) {
    await chmod(join(folder, name), 0o755);
    marked++;
  }
}
console.log(`after-mount: ${marked} commands in node_modules/.bin marked executable`);
