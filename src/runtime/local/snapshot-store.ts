/**
 * The local runtime boots from the very packages snapshot the browser mounts: it reads the
 * gzipped WebContainer snapshot from the built site, decodes it once per server, and writes its
 * node_modules into each new sandbox as real copies, so a learner's change inside one sandbox's
 * node_modules never reaches another. Like a WebContainer's `mount()`, it writes no file modes
 * (nothing is executable until the shop's after-mount step says so) and no symlinks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { decodeSnapshot, snapshotFiles } from '../../snapshot/format.ts';
import { SNAPSHOT_FILE_NAME } from '../../snapshot/manifest.ts';
import { RuntimeError } from '../types.ts';

type Files = [path: string, contents: Uint8Array][];

export class SnapshotStore {
  readonly dir: string;
  #decoded = new Map<string, Promise<Files>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  #files(name: string): Promise<Files> {
    if (!SNAPSHOT_FILE_NAME.test(name)) return Promise.reject(new RuntimeError(`"${name}" is not a packages snapshot of this course.`, 'not-found'));
    let files = this.#decoded.get(name);
    if (!files) {
      files = (async () => {
        const gzipped = await readFile(join(this.dir, name)).catch(() => {
          throw new RuntimeError(`The packages snapshot ${name} is not in ${this.dir}. Rebuild the site (\`npm start\` builds it).`, 'not-found');
        });
        return [...snapshotFiles(decodeSnapshot(await promisify(gunzip)(gzipped)))];
      })();
      files.catch(() => this.#decoded.delete(name));
      this.#decoded.set(name, files);
    }
    return files;
  }

  /**
   * Writes the snapshot's tree into `folder`. It is assembled beside the sandbox and moved in with
   * one rename, so nothing a sandbox process does meanwhile (a symlink planted where a folder will
   * go) can redirect a write; the rename refuses to replace anything already there.
   */
  async writeInto(name: string, folder: string): Promise<{ files: number }> {
    const files = await this.#files(name);
    const staging = `${folder}.snapshot-${process.pid}-${Date.now()}`;
    try {
      // Written synchronously, a slice of time at a time: about a third of the CPU of as many
      // asynchronous writes in flight (6,000 small files), and the server still answers between slices.
      const folders = [...new Set(files.map(([path]) => dirname(join(staging, path))))].sort();
      await inSlices(folders, (dir) => mkdirSync(dir, { recursive: true }));
      // 0o644 whatever the umask would allow: a mounted file is never executable.
      await inSlices(files, ([path, contents]) => writeFileSync(join(staging, path), contents, { mode: 0o644 }));
      for (const top of new Set(files.map(([path]) => path.split('/')[0]!))) {
        const taken = await lstat(join(folder, top)).then(
          () => true,
          () => false,
        );
        if (taken) throw new RuntimeError(`The sandbox already has ${top}; the packages snapshot is mounted into a fresh sandbox only.`, 'io');
        await rename(join(staging, top), join(folder, top));
      }
      return { files: files.length };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** How long one slice of synchronous writes may keep the server from its other work. */
const SLICE_MS = 20;

async function inSlices<T>(items: T[], work: (item: T) => void): Promise<void> {
  let sliceEnds = performance.now() + SLICE_MS;
  for (const item of items) {
    work(item);
    if (performance.now() > sliceEnds) {
      await nextTurn();
      sliceEnds = performance.now() + SLICE_MS;
    }
  }
}
