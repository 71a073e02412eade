/**
 * A second boot of the same sandbox should not install again: after a successful `npm install`,
 * the sandbox's node_modules is kept (hard-linked, so it costs no disk) under the lockfile's hash,
 * and the next sandbox with that lockfile starts with it linked in place. npm then finds
 * everything installed and finishes in a second or two.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';

export function lockfileKey(lockfile: string): string {
  return createHash('sha256').update(lockfile).digest('hex').slice(0, 24);
}

async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target).catch(() => copyFile(source, target));
  }
}

export class NodeModulesCache {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  /** Links a kept node_modules into the sandbox; false when none is kept for this lockfile. */
  async restore(lockfile: string, sandbox: string): Promise<boolean> {
    const kept = join(this.dir, lockfileKey(lockfile));
    if (!existsSync(kept) || existsSync(join(sandbox, 'node_modules'))) return false;
    await linkTree(kept, join(sandbox, 'node_modules'));
    return true;
  }

  /** Keeps the sandbox's node_modules for this lockfile, unless one is kept already. */
  async keep(lockfile: string, sandbox: string): Promise<void> {
    const kept = join(this.dir, lockfileKey(lockfile));
    if (existsSync(kept) || !existsSync(join(sandbox, 'node_modules'))) return;
    const partial = `${kept}.partial-${process.pid}-${Date.now()}`;
    try {
      await linkTree(join(sandbox, 'node_modules'), partial);
      await rename(partial, kept);
    } catch {
      await rm(partial, { recursive: true, force: true });
    }
  }
}
