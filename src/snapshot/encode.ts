/**
 * Writes a folder as a WebContainer snapshot, in the format of `@webcontainer/snapshot` (see
 * format.ts), with entries in sorted order so the same tree always gives the same bytes.
 * (`@webcontainer/snapshot` itself races every pending read against every other, which takes
 * ~50 s for the shop's 6,000 files; tests/snapshot/ checks both encode the same tree.)
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encode } from '@msgpack/msgpack';
import type { SnapshotFile, SnapshotFolder } from './format.ts';

async function readFolder(dir: string): Promise<SnapshotFolder> {
  const folder: SnapshotFolder = { d: {} };
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isDirectory()) folder.d[name] = await readFolder(path);
    else if (info.isFile()) folder.d[name] = { f: { c: await readFile(path) } } satisfies SnapshotFile;
    else throw new Error(`${path} is neither a file nor a folder; a WebContainer snapshot can hold only those`);
  }
  return folder;
}

export async function encodeSnapshot(dir: string): Promise<Uint8Array> {
  return encode(await readFolder(dir));
}
