/**
 * The WebContainer file-system snapshot format (what `@webcontainer/snapshot` writes and
 * `WebContainer#mount` reads): MessagePack of `{ d: { name: { d: {...} } | { f: { c: bytes } } } }`.
 * Only folders and files: no symlinks, no modes. Reading it here lets the local runtime boot from
 * the very artifact the browser mounts.
 */
import { decode } from '@msgpack/msgpack';

export interface SnapshotFolder {
  d: Record<string, SnapshotFolder | SnapshotFile>;
}
export interface SnapshotFile {
  f: { c: Uint8Array };
}

export function decodeSnapshot(bytes: Uint8Array): SnapshotFolder {
  const root = decode(bytes) as SnapshotFolder;
  if (!root || typeof root !== 'object' || typeof root.d !== 'object') throw new Error('not a WebContainer snapshot: no root folder');
  return root;
}

/** Every file of a snapshot, depth first, with its POSIX path from the snapshot's root. */
export function* snapshotFiles(folder: SnapshotFolder, prefix = ''): Generator<[path: string, contents: Uint8Array]> {
  for (const [name, node] of Object.entries(folder.d)) {
    if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
      throw new Error(`snapshot holds an invalid name ${JSON.stringify(name)} under "${prefix}"`);
    }
    const path = prefix + name;
    if ('d' in node) yield* snapshotFiles(node, `${path}/`);
    else if ('f' in node && node.f.c instanceof Uint8Array) yield [path, node.f.c];
    else throw new Error(`snapshot entry "${path}" is neither a folder nor a file`);
  }
}
