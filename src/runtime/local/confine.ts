import { constants } from 'node:fs';
import { lstat, mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import { toSandboxPath } from '../sandbox-path.ts';
import { RuntimeError } from '../types.ts';

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
  const inside = relative(realRoot, existing);
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new RuntimeError(`"${path}" leads outside the sandbox (through a symlink).`, 'path-outside-sandbox');
  }
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

/** O_NOFOLLOW: should a symlink appear at the file itself after the check, the open fails instead of following it. */
const WRITE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/** Writes a file inside the sandbox, making its folders, never through a symlink. */
export async function writeInside(root: string, path: string, contents: string): Promise<void> {
  const file = await resolveForWrite(root, path);
  if (file === root) throw new RuntimeError('A file needs a name: the sandbox root is a folder.', 'io');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, contents, { flag: WRITE_NO_FOLLOW }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP') throw new RuntimeError(`"${path}" is a symlink; the runtime never writes through symlinks.`, 'path-outside-sandbox');
    throw error;
  });
}

/** Makes a folder inside the sandbox (and its parents), never through a symlink. */
export async function mkdirInside(root: string, path: string): Promise<void> {
  await mkdir(await resolveForWrite(root, path), { recursive: true });
}
