/**
 * The learner's progress lives in their browser: which lessons they completed (by passing the
 * lesson's checks). Nothing is sent anywhere.
 */
const STORAGE_KEY = 'ctl:progress';

export interface LessonProgress {
  completedAt: string;
}

export type Progress = Record<string, LessonProgress>;

export function readProgress(storage: Storage = localStorage): Progress {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Progress) : {};
  } catch {
    return {};
  }
}

export function markCompleted(lessonId: string, storage: Storage = localStorage): void {
  const progress = readProgress(storage);
  progress[lessonId] = { completedAt: new Date().toISOString() };
  storage.setItem(STORAGE_KEY, JSON.stringify(progress));
}

/** Marks every `[data-lesson-id]` element whose lesson is complete, and fills `[data-progress-count]`. */
export function showProgress(root: ParentNode = document): void {
  const progress = readProgress();
  const items = root.querySelectorAll<HTMLElement>('[data-lesson-id]');
  let done = 0;
  for (const item of items) {
    const complete = Boolean(progress[item.dataset.lessonId!]);
    item.dataset.complete = String(complete);
    if (complete) done++;
  }
  for (const counter of root.querySelectorAll<HTMLElement>('[data-progress-count]')) {
    counter.textContent = `${done} of ${items.length} lessons complete`;
  }
  for (const bar of root.querySelectorAll<HTMLProgressElement>('progress[data-progress-bar]')) {
    bar.max = items.length;
    bar.value = done;
  }
}
