import { constants, ftruncateSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import { toSandboxPath } from '../sandbox-path.ts';
import { RuntimeError } from '../types.ts';

const isInside = (realRoot: string, path: string) => {
  const inside = relative(realRoot, path);
  return !(inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside));
};

/**
 * The absolute host path for a sandbox path to read, or a RuntimeError when it would leave the
 * sandbox — by `..`, by being absolute, or through a symlink that points outside (checked on the
 * nearest part of the path that exists).
 */
export async function resolveInside(root: string, path: string): Promise<string> {
  const target = join(root, toSandboxPath(path));
  const realRoot = await realpath(root);
  let existing = target;
  for (;;) {
    try {
      existing = await realpath(existing);
      break;
    } catch {
      const parent = dirname(existing);
      if (parent === existing) break;
      existing = parent;
    }
  }
  if (!isInside(realRoot, existing)) throw new RuntimeError(`"${path}" leads outside the sandbox (through a symlink).`, 'path-outside-sandbox');
  return target;
}

/**
 * The host path for a sandbox path to write or create, refusing any symlink on the way, wherever
 * it points and whether or not its target exists: a dangling link is where a write would escape.
 */
export async function resolveForWrite(root: string, path: string): Promise<string> {
  const parts = toSandboxPath(path).split('/').filter(Boolean);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    const info = await lstat(current).catch(() => null);
    if (!info) break; // from here on nothing exists yet: mkdir makes real folders
    if (info.isSymbolicLink()) {
      throw new RuntimeError(
        `"${path}" goes through the symlink ${relative(root, current)}; the runtime never writes through symlinks.`,
        'path-outside-sandbox',
      );
    }
  }
  return join(root, ...parts);
}

/**
 * A checked path is looked at again when it is opened: code running as the learner may swap a
 * folder on the way for a symlink in between (a race it can run thousands of times), or even the
 * sandbox's own folder. So on Linux a file is reached the way openat() would reach it: from the
 * sandbox's folder, held open and known by its identity (taken when the runtime first used it,
 * before any sandbox process ran), one folder at a time through the one before it
 * (/proc/self/fd/N/name), none of them a symlink (O_NOFOLLOW), making what is missing on the way
 * for a write; nothing swapped can lead elsewhere, and nothing is made outside. Elsewhere the file
 * is opened by its path, and checked after: resolved again, it must lead, inside the sandbox, to
 * the same file. The file itself: never a symlink (O_NOFOLLOW), and a FIFO cannot make the open
 * wait (O_NONBLOCK).
 */
const NO_FOLLOW = constants.O_NOFOLLOW | constants.O_NONBLOCK;
const FOLDER = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const walkable = process.platform === 'linux';

function openError(path: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error instanceof RuntimeError) throw error;
    if (error.code === 'ELOOP') throw new RuntimeError(`"${path}" goes through a symlink; the runtime never follows it there.`, 'path-outside-sandbox');
    if (error.code === 'ENOENT') throw new RuntimeError(`No such file or folder: ${path}`, 'not-found');
    if (error.code === 'ENXIO' || error.code === 'ENOTDIR' || error.code === 'EISDIR') throw new RuntimeError(`"${path}" is not a file.`, 'io');
    throw new RuntimeError(`Could not access ${path}: ${error.message}`, 'io');
  };
}

const swapped = (path: string) =>
  new RuntimeError(`"${path}" leads outside the sandbox (a folder on the way was swapped for a symlink).`, 'path-outside-sandbox');

/** Each sandbox folder's identity, taken when it was made (or first used). */
const roots = new Map<string, { dev: number; ino: number }>();
const MAX_ROOTS = 256;

/** Remembers which folder `root` is, before any sandbox process runs in it: see sandbox-folders.ts. */
export async function pinRoot(root: string): Promise<void> {
  const { dev, ino } = await lstat(root);
  roots.set(root, { dev, ino });
  if (roots.size > MAX_ROOTS) roots.delete(roots.keys().next().value!);
}

/** The sandbox's folder, open, and still the one it was. */
async function openRoot(root: string, path: string): Promise<FileHandle> {
  const folder = await open(root, FOLDER).catch(openError(path));
  const { dev, ino } = await folder.stat();
  const known = roots.get(root);
  if (!known) roots.set(root, { dev, ino });
  else if (known.dev !== dev || known.ino !== ino) {
    await folder.close();
    throw new RuntimeError(`The sandbox's own folder was replaced; "${path}" is not opened.`, 'path-outside-sandbox');
  }
  return folder;
}

/** Opens the folders `parts` below the sandbox's folder, one through the other (Linux), making missing ones when `make`. */
async function walkFolders(root: string, parts: string[], path: string, make: boolean): Promise<FileHandle> {
  let folder = await openRoot(root, path);
  try {
    for (const part of parts) {
      const next = `/proc/self/fd/${folder.fd}/${part}`;
      if (make) await mkdir(next).catch((error: NodeJS.ErrnoException) => error.code === 'EEXIST' || openError(path)(error));
      const opened = await open(next, FOLDER).catch(openError(path));
      await folder.close();
      folder = opened;
    }
    return folder;
  } catch (error) {
    await folder.close();
    throw error;
  }
}

/**
 * Opens the file at `parts` below the sandbox's folder (`flags`: O_RDONLY, or O_WRONLY|O_CREAT),
 * only if it is, once open, a file inside the sandbox. `make`: make missing folders on the way.
 */
async function openConfined(root: string, parts: string[], path: string, flags: number, make = false): Promise<FileHandle> {
  const name = parts.at(-1);
  if (!name) throw new RuntimeError('A file needs a name: the sandbox root is a folder.', 'io');
  let handle: FileHandle;
  if (walkable) {
    const folder = await walkFolders(root, parts.slice(0, -1), path, make);
    try {
      handle = await open(`/proc/self/fd/${folder.fd}/${name}`, flags | NO_FOLLOW, 0o666).catch(openError(path));
    } finally {
      await folder.close();
    }
  } else {
    const file = join(root, ...parts);
    if (make) await mkdir(dirname(file), { recursive: true }).catch(openError(path));
    handle = await open(file, flags | NO_FOLLOW, 0o666).catch(openError(path));
  }
  try {
    const info = await handle.stat();
    if (!walkable) {
      // Resolved again now that it is open, the path must still lead, inside, to this very file.
      const where = await realpath(join(root, ...parts));
      const again = await stat(where);
      if (!isInside(await realpath(root), where) || again.dev !== info.dev || again.ino !== info.ino) throw swapped(path);
    }
    if (!info.isFile()) throw new RuntimeError(`"${path}" is not a file.`, 'io');
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The most the runtime reads of one file for the page (the editor opens it): a larger file is refused. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

/** Reads a file inside the sandbox as UTF-8, refusing symlinks out, swapped folders and files over `maxBytes`. */
export async function readInside(root: string, path: string, maxBytes = MAX_READ_BYTES): Promise<string> {
  // Symlinks inside the sandbox that stay inside are followed: resolved first, then walked.
  const target = await resolveInside(root, path);
  const real = await realpath(target).catch(openError(path));
  const realRoot = await realpath(root);
  if (!isInside(realRoot, real)) throw new RuntimeError(`"${path}" leads outside the sandbox (through a symlink).`, 'path-outside-sandbox');
  const handle = await openConfined(root, relative(realRoot, real).split(sep), path, constants.O_RDONLY);
  try {
    const tooLarge = () =>
      new RuntimeError(`${path} is too large to open here (over ${Math.round(maxBytes / 2 ** 20)} MB); open it in the Shell instead.`, 'io');
    const { size } = await handle.stat();
    if (size > maxBytes) throw tooLarge();
    // It may still grow while read: never past the limit.
    let buffer = Buffer.alloc(size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge();
        buffer = Buffer.concat([buffer, Buffer.alloc(Math.min(buffer.length, maxBytes + 1 - buffer.length))]);
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

/** Writes a file inside the sandbox, making its folders, never through a symlink. */
export async function writeInside(root: string, path: string, contents: string): Promise<void> {
  const file = await resolveForWrite(root, path);
  // Not truncated on open: only once it is known to be the sandbox's own file.
  const handle = await openConfined(root, relative(root, file).split(sep).filter(Boolean), path, constants.O_WRONLY | constants.O_CREAT, true);
  try {
    // Emptied and written back to back, not as two trips through the thread pool: a watcher in the
    // sandbox that reads the file on the first event (Vite waits up to 100 ms for the rest) found it
    // empty for as long as this server's pool was busy, and served an empty module.
    const bytes = Buffer.from(contents);
    ftruncateSync(handle.fd, 0);
    for (let written = 0; written < bytes.length; ) written += writeSync(handle.fd, bytes, written, bytes.length - written, written);
  } finally {
    await handle.close();
  }
}

/** Makes a folder inside the sandbox (and its parents), never through a symlink. */
export async function mkdirInside(root: string, path: string): Promise<void> {
  const folder = await resolveForWrite(root, path);
  const parts = relative(root, folder).split(sep).filter(Boolean);
  if (walkable) await (await walkFolders(root, parts, path, true)).close();
  else await mkdir(folder, { recursive: true });
}
