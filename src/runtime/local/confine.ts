import { realpath } from 'node:fs/promises';
import { dirname, join, relative, sep, isAbsolute } from 'node:path';
import { toSandboxPath } from '../sandbox-path.ts';
import { RuntimeError } from '../types.ts';

/**
 * The absolute host path for a sandbox path, or a RuntimeError when it would leave the sandbox —
 * by `..`, by being absolute, or through a symlink that points outside (checked on the nearest
 * part of the path that exists).
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
