import { describe, expect, test } from 'vitest';
import { pathToFileURL } from 'node:url';
import { mdxToJs } from 'satteri';
import { codeFromFiles, parseReference, referencedCode } from '../../src/lessons/code-from-files.ts';

/** Compiles MDX as the site build does (Sätteri with the plugin), as if it were lesson 2's prose. */
const compileLesson2 = async (mdx: string) =>
  (await mdxToJs(mdx, { mdastPlugins: [codeFromFiles], fileURL: pathToFileURL(`${process.cwd()}/content/lessons/02-trace-the-backend/lesson.mdx`) })).code;

const start = { 'app.ts': 'a\nb\nc\nd\n', 'same.ts': 'x\n' };
const solution = { ...start, 'app.ts': 'a\nB\nc\nd\ne\n' };

describe('prose code from the lesson’s files', () => {
  test('reads file, version, range and diff from a code block’s meta', () => {
    expect(parseReference('title="x"')).toBeNull();
    expect(parseReference('file="start:backend/src/app.ts" lines="3-7"')).toEqual({ version: 'start', path: 'backend/src/app.ts', lines: { from: 3, to: 7 } });
    expect(parseReference('file=backend/src/app.ts')).toEqual({ version: 'solution', path: 'backend/src/app.ts', lines: undefined });
    expect(parseReference('file="backend/src/app.ts" diff')).toEqual({ version: 'diff', path: 'backend/src/app.ts', lines: undefined });
    expect(() => parseReference('file="start:app.ts" diff')).toThrow(/a diff goes from start to solution/);
    expect(() => parseReference('file="app.ts" lines="9-3"')).toThrow(/ends before it starts/);
  });

  test('shows a version, a range of it, or the change with its lines marked', () => {
    expect(referencedCode({ version: 'start', path: 'app.ts' }, start, solution)).toBe('a\nb\nc\nd');
    expect(referencedCode({ version: 'solution', path: 'app.ts', lines: { from: 2, to: 3 } }, start, solution)).toBe('B\nc');
    expect(referencedCode({ version: 'diff', path: 'app.ts' }, start, solution)).toBe('a\nb // [!code --]\nB // [!code ++]\nc\nd\ne // [!code ++]');
    expect(referencedCode({ version: 'diff', path: 'app.ts', lines: { from: 2, to: 2 } }, start, solution)).toBe('b // [!code --]\nB // [!code ++]');
  });

  test('a file, a range or a change that does not exist is an error, which fails the build', async () => {
    expect(() => referencedCode({ version: 'start', path: 'gone.ts' }, start, solution)).toThrow(/not a file of the lesson's sandbox/);
    expect(() => referencedCode({ version: 'solution', path: 'app.ts', lines: { from: 4, to: 9 } }, start, solution)).toThrow(/runs past the end/);
    expect(() => referencedCode({ version: 'diff', path: 'same.ts' }, start, solution)).toThrow(/does not change/);
    await expect(compileLesson2('```ts file="start:backend/src/nowhere.ts"\n```\n')).rejects.toThrow(/nowhere\.ts" is not a file/);
  });

  test('a real lesson block is filled from its sandbox', async () => {
    expect(await compileLesson2('```ts file="solution:backend/src/instrument.ts"\n```\n')).toContain('Sentry.init(');
  });
});
