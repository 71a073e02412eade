/**
 * Prose pulls its code from the lesson's sandbox instead of pasting it. In a lesson.mdx:
 *
 *   ```ts file="solution:backend/src/instrument.ts"
 *   ```
 *   ```ts file="start:backend/src/inventory.ts" lines="21-33"
 *   ```
 *   ```ts file="backend/src/app.ts" diff lines="41-52"
 *   ```
 *
 * `start:` is the file as the lesson begins, `solution:` as it ends; `diff` shows the change from
 * one to the other with added and removed lines marked (transformerDiffMarks below); `lines` picks a
 * range (of the solution's lines, for a diff). A block's own body is replaced. The build fails
 * when a file or range does not exist, so prose cannot drift from the code it quotes.
 */
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineMdastPlugin, type MdastPluginEntry } from 'satteri';
import type { ShikiTransformer } from 'shiki';
import { diffLines } from 'diff';
import type { FileMap } from '../runtime/types.ts';
import { lessonSandbox } from './sandbox-files.ts';

export interface CodeReference {
  version: 'start' | 'solution' | 'diff';
  path: string;
  lines?: { from: number; to: number };
}

/** Reads `file="..." lines="..." diff` from a code block's meta; null when it names no file. */
export function parseReference(meta: string): CodeReference | null {
  const attributes = new Map<string, string>();
  for (const match of meta.matchAll(/(\w+)(?:=(?:"([^"]*)"|(\S+)))?/g)) attributes.set(match[1]!, match[2] ?? match[3] ?? '');
  const file = attributes.get('file');
  if (file === undefined) return null;
  const [, prefix, path] = /^(?:(start|solution):)?(.+)$/.exec(file) ?? [];
  if (!path) throw new Error(`file="${file}" names no file`);
  if (attributes.has('diff') && prefix) throw new Error(`file="${file}" with diff: a diff goes from start to solution, name the file without "${prefix}:"`);
  const version = attributes.has('diff') ? 'diff' : ((prefix as 'start' | 'solution' | undefined) ?? 'solution');
  const range = attributes.get('lines');
  let lines: CodeReference['lines'];
  if (range !== undefined) {
    const [, from, to] = /^(\d+)(?:-(\d+))?$/.exec(range) ?? [];
    if (!from) throw new Error(`lines="${range}" is not a line or a range like 12-30`);
    lines = { from: Number(from), to: Number(to ?? from) };
    if (lines.to < lines.from) throw new Error(`lines="${range}" ends before it starts`);
  }
  return { version, path, lines };
}

/** How the plugin tells the highlighter which lines a diff changes: `diffmarks="+3,4 -2"` in the block's meta. */
const DIFF_MARKS = 'diffmarks';
const encodeMarks = ({ added, removed }: ShownCode) => `+${added.join(',')} -${removed.join(',')}`;

/** One shown line, the solution's line number it stands at (removed lines share the next one's), and its change. */
interface ShownLine {
  text: string;
  line: number;
  change?: 'add' | 'remove';
}

/** What a block shows: its code, and which of its lines (from 1) a diff adds and removes. */
export interface ShownCode {
  code: string;
  added: number[];
  removed: number[];
}

const stripFinalNewline = (text: string) => text.replace(/\n$/, '');

/** The change from `before` to `after` as lines, the removed and added ones marked. */
function diffShown(before: string, after: string): ShownLine[] {
  const shown: ShownLine[] = [];
  let line = 1;
  for (const part of diffLines(before, after)) {
    const lines = stripFinalNewline(part.value).split('\n');
    for (const text of lines) {
      if (part.removed) shown.push({ text, line, change: 'remove' });
      else if (part.added) shown.push({ text, line: line++, change: 'add' });
      else shown.push({ text, line: line++ });
    }
  }
  return shown;
}

const shownCode = (lines: ShownLine[]): ShownCode => ({
  code: lines.map((entry) => entry.text).join('\n'),
  added: lines.flatMap((entry, i) => (entry.change === 'add' ? [i + 1] : [])),
  removed: lines.flatMap((entry, i) => (entry.change === 'remove' ? [i + 1] : [])),
});

/** The code a reference shows, or an error saying what does not exist. */
export function referencedCode(reference: CodeReference, start: FileMap, solution: FileMap): ShownCode {
  const atStart = start[reference.path];
  const atEnd = solution[reference.path] ?? atStart;
  const where = reference.version === 'start' ? atStart : atEnd;
  if (where === undefined || (reference.version === 'diff' && atStart === undefined)) {
    throw new Error(`"${reference.path}" is not a file of the lesson's sandbox${reference.version === 'start' ? ' at its start' : ''}`);
  }
  if (reference.version === 'diff' && atStart === atEnd) throw new Error(`"${reference.path}" does not change in this lesson: there is no diff to show`);
  const shown =
    reference.version === 'diff'
      ? diffShown(atStart!, atEnd!)
      : stripFinalNewline(where)
          .split('\n')
          .map((text, i) => ({ text, line: i + 1 }));
  if (!reference.lines) return shownCode(shown);
  const { from, to } = reference.lines;
  const last = shown.at(-1)?.line ?? 0;
  if (to > last) throw new Error(`lines="${from}-${to}" runs past the end of "${reference.path}" (${last} lines)`);
  return shownCode(shown.filter((entry) => entry.line >= from && entry.line <= to));
}

/**
 * The Sätteri mdast plugin (astro.config.mjs): fills each code block that names a file of its lesson.
 * A factory, so each lesson.mdx gets a plugin that knows its lesson and reads its sandbox once.
 */
export const codeFromFiles: MdastPluginEntry = ({ fileURL }) => {
  if (!fileURL) return null;
  const path = fileURLToPath(fileURL);
  const lessonId = basename(dirname(path));
  let sandbox: ReturnType<typeof lessonSandbox> | null = null;
  return defineMdastPlugin({
    name: 'checkout-trace-lab:code-from-files',
    async code(node, context) {
      const reference = parseReference(node.meta ?? '');
      if (!reference) return;
      try {
        sandbox ??= lessonSandbox(lessonId);
        const { start, solution } = await sandbox;
        const shown = referencedCode(reference, start, { ...start, ...solution });
        context.setProperty(node, 'value', shown.code);
        if (shown.added.length || shown.removed.length) context.setProperty(node, 'meta', `${node.meta} ${DIFF_MARKS}="${encodeMarks(shown)}"`);
      } catch (error) {
        throw new Error(`${path}: the code block with ${node.meta}: ${(error as Error).message}`);
      }
    },
  });
};

function decodeMarks(meta: string | undefined): { added: Set<number>; removed: Set<number> } | null {
  const [, added = '', removed = ''] = new RegExp(`${DIFF_MARKS}="\\+([\\d,]*) -([\\d,]*)"`).exec(meta ?? '') ?? [];
  if (!added && !removed) return null;
  const lines = (list: string) => new Set(list.split(',').filter(Boolean).map(Number));
  return { added: lines(added), removed: lines(removed) };
}

/**
 * The Shiki transformer (astro.config.mjs) that marks a diff's lines: `diff add` and `diff remove`
 * on lines, `has-diff` on the block, as Shiki's own diff notation does. Lines are marked by number,
 * so the code stays as it is in the file (no trailing comments) and blank lines keep their marks.
 */
export function transformerDiffMarks(): ShikiTransformer {
  return {
    name: 'checkout-trace-lab:diff-marks',
    pre(node) {
      if (decodeMarks(this.options.meta?.__raw)) this.addClassToHast(node, 'has-diff');
    },
    line(node, line) {
      const marks = decodeMarks(this.options.meta?.__raw);
      if (marks?.added.has(line)) this.addClassToHast(node, ['diff', 'add']);
      else if (marks?.removed.has(line)) this.addClassToHast(node, ['diff', 'remove']);
    },
  };
}
