/**
 * The sandbox's files as folders, for the file tree: folders first, then files, each sorted; a
 * folder whose only child is a folder shows as one (`public/images`), as editors show them.
 */
export interface Folder {
  /** What the tree shows: `src`, or `public/images` for a chain of single folders. */
  name: string;
  /** Its path in the sandbox, no trailing slash; `` for the root. */
  path: string;
  folders: Folder[];
  /** Full paths of the files directly in it. */
  files: string[];
}

function compact(folder: Folder): Folder {
  let shown = folder;
  while (shown.files.length === 0 && shown.folders.length === 1) {
    const only = shown.folders[0]!;
    shown = { ...only, name: `${shown.name}/${only.name}` };
  }
  return { ...shown, folders: shown.folders.map(compact) };
}

export function folderTree(paths: string[]): Folder {
  const root: Folder = { name: '', path: '', folders: [], files: [] };
  for (const path of [...paths].sort()) {
    const parts = path.split('/');
    let folder = root;
    for (const part of parts.slice(0, -1)) {
      const childPath = folder.path ? `${folder.path}/${part}` : part;
      let child = folder.folders.find((candidate) => candidate.path === childPath);
      if (!child) {
        child = { name: part, path: childPath, folders: [], files: [] };
        folder.folders.push(child);
      }
      folder = child;
    }
    folder.files.push(path);
  }
  return { ...root, folders: root.folders.map(compact) };
}
