/**
 * The last Check's result per lesson, kept for this tab (sessionStorage) so that a reload shows it
 * again instead of an empty Checks panel. A result from another tab or another day is not kept.
 */
import type { CheckRun } from '../lessons/run-checks.ts';

const key = (lessonId: string) => `ctl:last-check:${lessonId}`;

export function saveLastCheck(lessonId: string, run: CheckRun): void {
  try {
    // The runner's output can be long, and the panel does not show it: it stays out.
    sessionStorage.setItem(key(lessonId), JSON.stringify({ ...run, output: '' }));
  } catch {
    // storage full or unavailable: the result is only lost on reload
  }
}

export function loadLastCheck(lessonId: string): CheckRun | null {
  try {
    const run = JSON.parse(sessionStorage.getItem(key(lessonId)) ?? 'null') as CheckRun | null;
    return run && Array.isArray(run.results) ? run : null;
  } catch {
    return null;
  }
}
