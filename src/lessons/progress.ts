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

const LAST_LESSON_KEY = 'ctl:last-lesson';

/** The lesson page records itself as the one the learner is on. */
export function rememberLesson(lessonId: string, storage: Storage = localStorage): void {
  storage.setItem(LAST_LESSON_KEY, lessonId);
}

/**
 * Where the learner goes on: the lesson they last opened while it is not complete yet, else the
 * first lesson they have not completed, in course order; null once every lesson is complete.
 */
export function nextLesson(lessonIds: string[], progress: Progress, lastOpened: string | null): string | null {
  if (lastOpened && lessonIds.includes(lastOpened) && !progress[lastOpened]) return lastOpened;
  return lessonIds.find((id) => !progress[id]) ?? null;
}

/**
 * Marks every `[data-lesson-id]` element whose lesson is complete, and the one to go on with
 * (`data-next`); fills `[data-progress-count]` and the progress bars; points `[data-continue]`
 * (the home page's call to action) at that lesson, by its link and title in the list.
 */
export function showProgress(root: ParentNode = document, storage: Storage = localStorage): void {
  const progress = readProgress(storage);
  const items = [...root.querySelectorAll<HTMLElement>('[data-lesson-id]')];
  const ids = items.map((item) => item.dataset.lessonId!);
  const next = nextLesson(ids, progress, storage.getItem(LAST_LESSON_KEY));
  const started = ids.some((id) => progress[id]) || storage.getItem(LAST_LESSON_KEY) !== null;
  let done = 0;
  for (const item of items) {
    const complete = Boolean(progress[item.dataset.lessonId!]);
    item.dataset.complete = String(complete);
    if (item.dataset.lessonId === next && started) item.dataset.next = 'true';
    else delete item.dataset.next;
    if (complete) done++;
  }
  for (const counter of root.querySelectorAll<HTMLElement>('[data-progress-count]')) {
    counter.textContent = `${done} of ${items.length} lessons complete`;
  }
  for (const bar of root.querySelectorAll<HTMLProgressElement>('progress[data-progress-bar]')) {
    bar.max = items.length;
    bar.value = done;
  }
  for (const link of root.querySelectorAll<HTMLAnchorElement>('a[data-continue]')) {
    if (!started) continue; // a first visit keeps "Start with lesson 1"
    const item = items[ids.indexOf(next ?? '')];
    if (!item) {
      link.textContent = `All ${items.length} lessons complete: review lesson 1`;
      link.href = items[0]?.querySelector('a')?.href ?? link.href;
      continue;
    }
    const number = Number.parseInt(item.dataset.lessonId!.slice(0, 2), 10);
    const title = item.querySelector('.lesson-title')?.textContent ?? '';
    link.textContent = `Continue with lesson ${number}: ${title}`;
    link.href = item.querySelector('a')?.href ?? link.href;
  }
}
