// Calls `onChange(path)` when a file under `folders` is saved, made, renamed or removed.
// Each folder is watched on its own (not with `recursive`): on Linux, Node's recursive watch
// follows files, so after a save that replaces a file (sed -i, an editor's safe write) it misses
// the next. Where fs.watch is missing or fails, the folders are compared a few times a second.
import { watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

const posix = (path) => path.split(sep).join('/');
const skipped = (name) => name === 'node_modules' || name.startsWith('.');

async function foldersUnder(folder) {
  const found = [folder];
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && !skipped(entry.name)) found.push(...(await foldersUnder(join(folder, entry.name))));
  }
  return found;
}

async function snapshot(folders) {
  const seen = new Map();
  for (const folder of folders) {
    for (const entry of await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => [])) {
      const path = join(entry.parentPath, entry.name);
      if (!entry.isFile() || posix(path).split('/').some(skipped)) continue;
      const info = await stat(path).catch(() => null);
      if (info) seen.set(posix(path), `${info.size}:${info.mtimeMs}`);
    }
  }
  return seen;
}

export function watchFolders(folders, onChange) {
  const watchers = new Map();
  let closed = false;
  let polling = null;

  const poll = () => {
    let last = null;
    polling = setInterval(async () => {
      const now = await snapshot(folders);
      if (last) for (const path of new Set([...last.keys(), ...now.keys()])) if (last.get(path) !== now.get(path)) onChange(path);
      last = now;
    }, 250);
  };

  const watchTree = async () => {
    for (const folder of (await Promise.all(folders.map(foldersUnder))).flat()) {
      if (closed || watchers.has(folder)) continue;
      const watcher = watch(folder, (event, name) => {
        if (!name || skipped(String(name))) return;
        onChange(posix(join(folder, String(name))));
        // A folder made or moved here is watched from now on.
        if (event === 'rename') void watchTree().catch(() => {});
      });
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(folder);
      });
      watchers.set(folder, watcher);
    }
  };

  watchTree().catch(() => {
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
    poll();
  });

  return () => {
    closed = true;
    clearInterval(polling);
    for (const watcher of watchers.values()) watcher.close();
  };
}
