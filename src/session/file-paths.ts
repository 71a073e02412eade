/** What the file tree's "New file" and "Rename" accept: a new path inside the sandbox, not its packages. */
import { isUnwatched, type FileMap } from '../runtime/types.ts';

export function newPathProblem(path: string, files: FileMap): string | null {
  if (!path.trim()) return 'Give the file a name, such as backend/src/cart.ts.';
  if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    return `"${path}" is not a path inside the sandbox: write it from the sandbox's root, such as backend/src/cart.ts.`;
  }
  if (isUnwatched(path)) return 'node_modules and .git belong to npm and git: make the file somewhere else.';
  if (path in files) return `${path} already exists.`;
  if (Object.keys(files).some((file) => file.startsWith(`${path}/`))) return `${path} is a folder.`;
  return null;
}
