import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mdxToJs, mdxToMdast } from 'satteri';
import { createHighlighter } from 'shiki';
import { codeFromFiles, parseReference, referencedCode, transformerDiffMarks } from '../../src/lessons/code-from-files.ts';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';

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
    const plain = (code: string) => ({ code, added: [], removed: [] });
    expect(referencedCode({ version: 'start', path: 'app.ts' }, start, solution)).toEqual(plain('a\nb\nc\nd'));
    expect(referencedCode({ version: 'solution', path: 'app.ts', lines: { from: 2, to: 3 } }, start, solution)).toEqual(plain('B\nc'));
    expect(referencedCode({ version: 'diff', path: 'app.ts' }, start, solution)).toEqual({ code: 'a\nb\nB\nc\nd\ne', added: [3, 6], removed: [2] });
    expect(referencedCode({ version: 'diff', path: 'app.ts', lines: { from: 2, to: 2 } }, start, solution)).toEqual({ code: 'b\nB', added: [2], removed: [1] });
  });

  test('the highlighter marks a diff by line number, blank lines too, with the code left as it is', async () => {
    const highlighter = await createHighlighter({ themes: ['github-light'], langs: ['ts'] });
    const html = highlighter.codeToHtml('const a = 1;\n\nconst b = 2;', {
      lang: 'ts',
      theme: 'github-light',
      meta: { __raw: 'file="app.ts" diff diffmarks="+2,3 -1"' },
      transformers: [transformerDiffMarks()],
    });
    expect(html).toContain('has-diff');
    const lines = [...html.matchAll(/<span class="line([^"]*)"/g)].map((match) => match[1]!.trim());
    expect(lines).toEqual(['diff remove', 'diff add', 'diff add']);
    expect(html).not.toContain('[!code');
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

const lessonsDir = fileURLToPath(new URL('../../content/lessons/', import.meta.url));
const lessonIds = readdirSync(lessonsDir)
  .filter((name) => /^\d\d-/.test(name))
  .sort();

interface Node {
  type: string;
  tagName?: string;
  meta?: string | null;
  value?: string;
  children?: Node[];
}

/** The fenced code blocks of a lesson's prose, in order, as the parser sees them (meta and body). */
function codeBlocks(mdx: string): Node[] {
  const blocks: Node[] = [];
  const walk = (node: Node) => {
    if (node.type === 'code') blocks.push(node);
    node.children?.forEach(walk);
  };
  walk(mdxToMdast(mdx) as unknown as Node);
  return blocks;
}

/**
 * A lesson's prose compiled as the site build does (Sätteri with the plugin), then run with a JSX
 * runtime that only records elements: the text of each `<pre><code>`, in order.
 */
async function compiledCodeBlocks(lessonId: string, mdx: string): Promise<string[]> {
  const fileURL = pathToFileURL(`${lessonsDir}${lessonId}/lesson.mdx`);
  const { code } = await mdxToJs(mdx, { mdastPlugins: [codeFromFiles], fileURL, outputFormat: 'function-body' });
  type Element = { type: unknown; props: { children?: unknown } };
  const element = (type: unknown, props: Element['props']): Element => ({ type, props });
  const runtime = { Fragment: 'fragment', jsx: element, jsxs: element };
  const { default: Content } = new Function(code)(runtime) as { default: () => Element };
  const texts: string[] = [];
  const walk = (node: unknown, inPre: boolean) => {
    if (Array.isArray(node)) {
      for (const child of node) walk(child, inPre);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const { type, props } = node as Element;
    if (type === 'code' && inPre) texts.push(typeof props.children === 'string' ? props.children : '');
    else walk(props.children, type === 'pre');
  };
  walk(Content(), false);
  return texts;
}

describe('every lesson’s prose compiles with its code from the lesson’s files', () => {
  const lessons = lessonIds.map((lessonId) => {
    const mdx = readFileSync(`${lessonsDir}${lessonId}/lesson.mdx`, 'utf8');
    const blocks = codeBlocks(mdx);
    return { lessonId, mdx, blocks, references: blocks.filter((block) => parseReference(block.meta ?? '')).length };
  });

  test('the course quotes its code from files', () => {
    expect(lessons.length).toBeGreaterThan(0);
    expect(lessons.reduce((sum, lesson) => sum + lesson.references, 0)).toBeGreaterThan(0);
  });

  test.each(lessons)(
    '$lessonId: $references blocks from files, each filled with what it names; the others keep their own code',
    async ({ lessonId, mdx, blocks }) => {
      const compiled = await compiledCodeBlocks(lessonId, mdx);
      expect(compiled).toHaveLength(blocks.length);
      const { start, solution } = await lessonSandbox(lessonId);
      blocks.forEach((block, i) => {
        const shown = compiled[i]!.replace(/\n$/, '');
        const reference = parseReference(block.meta ?? '');
        const where = `block ${i + 1} (${block.meta ?? 'no meta'})`;
        // A reference's own body is empty in the prose: an empty block here means it was not filled.
        expect(shown, where).not.toBe('');
        expect(shown, where).toBe(reference ? referencedCode(reference, start, { ...start, ...solution }).code : block.value);
      });
    },
  );
});
