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
 * one to the other with added and removed lines marked (Shiki's diff notation); `lines` picks a
 * range (of the solution's lines, for a diff). A block's own body is replaced. The build fails
 * when a file or range does not exist, so prose cannot drift from the code it quotes.
 */
import { basename, dirname } from 'node:path';
import { diffLines } from 'diff';
import { lessonSandbox, type FileMap } from './sandbox-files.ts';

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

/** One shown line, and the solution's line number it stands at (removed lines share the next one's). */
interface ShownLine {
  text: string;
  line: number;
}

const stripFinalNewline = (text: string) => text.replace(/\n$/, '');

/** The change from `before` to `after` as lines, removed and added ones marked for Shiki's diff transformer. */
function diffShown(before: string, after: string): ShownLine[] {
  const shown: ShownLine[] = [];
  let line = 1;
  for (const part of diffLines(before, after)) {
    const lines = stripFinalNewline(part.value).split('\n');
    for (const text of lines) {
      if (part.removed) shown.push({ text: `${text} // [!code --]`, line });
      else if (part.added) shown.push({ text: `${text} // [!code ++]`, line: line++ });
      else shown.push({ text, line: line++ });
    }
  }
  return shown;
}

/** The code a reference shows, or an error saying what does not exist. */
export function referencedCode(reference: CodeReference, start: FileMap, solution: FileMap): string {
  const atStart = start[reference.path];
  const atEnd = solution[reference.path] ?? atStart;
  const where = reference.version === 'start' ? atStart : atEnd;
  if (where === undefined || (reference.version === 'diff' && atStart === undefined)) {
    throw new Error(`"${reference.path}" is not a file of the lesson's sandbox${reference.version === 'start' ? ' at its start' : ''}`);
  }
  if (reference.version === 'diff' && atStart === atEnd) throw new Error(`"${reference.path}" does not change in this lesson: there is no diff to show`);
  const shown = reference.version === 'diff' ? diffShown(atStart!, atEnd!) : stripFinalNewline(where).split('\n').map((text, i) => ({ text, line: i + 1 }));
  if (!reference.lines) return shown.map((entry) => entry.text).join('\n');
  const { from, to } = reference.lines;
  const last = shown.at(-1)?.line ?? 0;
  if (to > last) throw new Error(`lines="${from}-${to}" runs past the end of "${reference.path}" (${last} lines)`);
  return shown.filter((entry) => entry.line >= from && entry.line <= to).map((entry) => entry.text).join('\n');
}

interface CodeNode {
  type: string;
  meta?: string | null;
  value?: string;
  children?: CodeNode[];
}

function* codeBlocks(node: CodeNode): Generator<CodeNode> {
  if (node.type === 'code') yield node;
  for (const child of node.children ?? []) yield* codeBlocks(child);
}

/** The remark plugin (astro.config.mjs): fills each code block that names a file of its lesson. */
export function remarkCodeFromFiles() {
  return async (tree: CodeNode, file: { path: string }) => {
    const lessonId = basename(dirname(file.path));
    let sandbox: Awaited<ReturnType<typeof lessonSandbox>> | null = null;
    for (const block of codeBlocks(tree)) {
      const reference = parseReference(block.meta ?? '');
      if (!reference) continue;
      try {
        sandbox ??= await lessonSandbox(lessonId);
        block.value = referencedCode(reference, sandbox.start, { ...sandbox.start, ...sandbox.solution });
      } catch (error) {
        throw new Error(`${file.path}: the code block with ${block.meta}: ${(error as Error).message}`);
      }
    }
  };
}
