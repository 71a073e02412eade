/** What the file tree's New file / Rename accept, and how a deletion is remembered across reloads. */
import { describe, expect, test } from 'vitest';
import { newPathProblem } from '../../src/session/file-paths.ts';
import { withEdits } from '../../src/session/saved-edits.ts';

const files = { 'backend/src/app.ts': 'app', 'package.json': '{}' };

describe('new file paths', () => {
  test('a new path inside the sandbox is fine', () => {
    expect(newPathProblem('backend/src/cart.ts', files)).toBeNull();
    expect(newPathProblem('notes.md', files)).toBeNull();
  });

  test.each([
    ['', /Give the file a name/],
    ['   ', /Give the file a name/],
    ['/etc/passwd', /not a path inside the sandbox/],
    ['../outside.ts', /not a path inside the sandbox/],
    ['backend//app.ts', /not a path inside the sandbox/],
    ['backend/src/', /not a path inside the sandbox/],
    ['node_modules/x/index.js', /belong to npm and git/],
    ['backend/src/app.ts', /already exists/],
    ['backend/src', /is a folder/],
  ])('"%s" is refused, saying why', (path, why) => {
    expect(newPathProblem(path, files)).toMatch(why);
  });
});

test("saved edits apply over the lesson's start, deletions included", () => {
  expect(withEdits(files, { 'backend/src/app.ts': null, 'backend/src/cart.ts': 'cart' })).toEqual({ 'package.json': '{}', 'backend/src/cart.ts': 'cart' });
});
