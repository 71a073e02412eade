/**
 * The learner's edits, per lesson, in their browser: only files that differ from the lesson's
 * start. They survive reloads, a crashed sandbox and "Show solution" (which keeps a copy).
 */
import type { FileMap } from '../runtime/types.ts';

const key = (lessonId: string, slot: 'edits' | 'before-solution') => `ctl:${slot}:${lessonId}`;

function read(storageKey: string): FileMap {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '{}');
    return value && typeof value === 'object' ? (value as FileMap) : {};
  } catch {
    return {};
  }
}

function write(storageKey: string, files: FileMap): void {
  if (Object.keys(files).length === 0) localStorage.removeItem(storageKey);
  else localStorage.setItem(storageKey, JSON.stringify(files));
}

export function loadEdits(lessonId: string): FileMap {
  return read(key(lessonId, 'edits'));
}

/** Records a file's contents; a file edited back to its original is forgotten. */
export function saveEdit(lessonId: string, path: string, contents: string, original: string | undefined): void {
  const edits = loadEdits(lessonId);
  if (contents === original) delete edits[path];
  else edits[path] = contents;
  write(key(lessonId, 'edits'), edits);
}

export function clearEdits(lessonId: string): void {
  write(key(lessonId, 'edits'), {});
}

/** Keeps the learner's own version of the files a solution replaces, so they can go back. */
export function keepBeforeSolution(lessonId: string, files: FileMap): void {
  write(key(lessonId, 'before-solution'), files);
}

export function loadBeforeSolution(lessonId: string): FileMap {
  return read(key(lessonId, 'before-solution'));
}

export function clearBeforeSolution(lessonId: string): void {
  write(key(lessonId, 'before-solution'), {});
}
