/**
 * The learner's edits, per lesson, in their browser: only files that differ from the lesson's
 * start (null for a file they deleted). They survive reloads, a crashed sandbox, and whatever
 * replaces them on purpose ("Show solution", Reset, a lesson starting from the previous one's
 * solution), which keeps a copy one step back for "Restore my code".
 */
import type { FileMap } from '../runtime/types.ts';

/** Path → the learner's contents, or null where they deleted a file of the lesson's start. */
export type SavedEdits = Record<string, string | null>;

const key = (lessonId: string, slot: 'edits' | 'before-solution') => `ctl:${slot}:${lessonId}`;

function read<T extends SavedEdits>(storageKey: string): T {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '{}');
    return (value && typeof value === 'object' ? value : {}) as T;
  } catch {
    return {} as T;
  }
}

function write(storageKey: string, files: SavedEdits): void {
  if (Object.keys(files).length === 0) localStorage.removeItem(storageKey);
  else localStorage.setItem(storageKey, JSON.stringify(files));
}

export function loadEdits(lessonId: string): SavedEdits {
  return read(key(lessonId, 'edits'));
}

/** The lesson's start with the learner's edits applied. */
export function withEdits(start: FileMap, edits: SavedEdits): FileMap {
  const files = { ...start };
  for (const [path, contents] of Object.entries(edits)) {
    if (contents === null) delete files[path];
    else files[path] = contents;
  }
  return files;
}

/** Records a file's contents (`undefined`: deleted); a file edited back to its original is forgotten. */
export function saveEdit(lessonId: string, path: string, contents: string | undefined, original: string | undefined): void {
  const edits = loadEdits(lessonId);
  if (contents === original) delete edits[path];
  else edits[path] = contents ?? null;
  write(key(lessonId, 'edits'), edits);
}

export function clearEdits(lessonId: string): void {
  write(key(lessonId, 'edits'), {});
}

/**
 * Keeps the learner's own version of the files the course replaces (the solution, Reset, a new
 * lesson's start), so they can go back; null for a file they had deleted. One step: the next
 * replacement keeps what it replaces instead.
 */
export function keepBeforeSolution(lessonId: string, files: SavedEdits): void {
  write(key(lessonId, 'before-solution'), files);
}

export function loadBeforeSolution(lessonId: string): SavedEdits {
  return read(key(lessonId, 'before-solution'));
}

const carriedKey = (lessonId: string) => `ctl:carried:${lessonId}`;

/** Whether the learner was already told what this lesson's start replaced of their previous lesson's code. */
export function carriedNoted(lessonId: string): boolean {
  return localStorage.getItem(carriedKey(lessonId)) !== null;
}

export function noteCarried(lessonId: string): void {
  localStorage.setItem(carriedKey(lessonId), '1');
}

export function clearBeforeSolution(lessonId: string): void {
  write(key(lessonId, 'before-solution'), {});
}
