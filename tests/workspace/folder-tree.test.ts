import { describe, expect, test } from 'vitest';
import { folderTree } from '../../src/workspace/folder-tree.ts';

describe('the file tree as folders', () => {
  test('folders first, then files, each sorted; files keep their full paths', () => {
    const tree = folderTree(['package.json', 'frontend/src/components/Cart.tsx', 'frontend/src/App.tsx', 'frontend/src/components/Checkout.tsx', 'README.md']);
    expect(tree.files).toEqual(['README.md', 'package.json']);
    const src = tree.folders[0]!;
    expect([src.name, src.path]).toEqual(['frontend/src', 'frontend/src']);
    expect(src.files).toEqual(['frontend/src/App.tsx']);
    expect(src.folders.map((folder) => [folder.name, folder.files])).toEqual([
      ['components', ['frontend/src/components/Cart.tsx', 'frontend/src/components/Checkout.tsx']],
    ]);
  });

  test('a folder whose only child is a folder shows as one, as editors show them', () => {
    const tree = folderTree(['frontend/index.html', 'frontend/public/images/mug.svg', 'frontend/public/images/tee.svg']);
    const frontend = tree.folders[0]!;
    expect(frontend.folders.map((folder) => [folder.name, folder.path])).toEqual([['public/images', 'frontend/public/images']]);
  });
});
