import { RuntimeError, type FileTree } from './types.ts';

/**
 * Normalises a sandbox path ("./backend//src/app.ts" → "backend/src/app.ts", "" or "." → ""), and
 * refuses anything that could leave the sandbox: absolute paths, `..` segments, NUL bytes.
 * Pure, so the browser and the local bridge check paths the same way.
 */
export function toSandboxPath(path: string): string {
  if (typeof path !== 'string' || path.includes('\0')) {
    throw new RuntimeError(`Invalid path ${JSON.stringify(path)}.`, 'path-outside-sandbox');
  }
  const unified = path.replaceAll('\\', '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) {
    throw new RuntimeError(`"${path}" is absolute; sandbox paths are relative to the sandbox root.`, 'path-outside-sandbox');
  }
  const parts = unified.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) {
    throw new RuntimeError(`"${path}" leaves the sandbox: \`..\` is not allowed.`, 'path-outside-sandbox');
  }
  return parts.join('/');
}

/** A flat path → contents map as the nested tree `Runtime.mount` takes. */
export function fileMapToTree(files: Record<string, string>): FileTree {
  const tree: FileTree = {};
  for (const [path, contents] of Object.entries(files)) {
    const parts = toSandboxPath(path).split('/');
    let folder = tree;
    for (const part of parts.slice(0, -1)) {
      const next = folder[part];
      if (typeof next === 'string') throw new RuntimeError(`"${path}" needs "${part}" to be a folder, but it is a file.`, 'io');
      const child = next ?? {};
      folder[part] = child;
      folder = child;
    }
    folder[parts.at(-1)!] = contents;
  }
  return tree;
}
