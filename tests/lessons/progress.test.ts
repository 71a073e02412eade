import { describe, expect, test } from 'vitest';
import { nextLesson } from '../../src/lessons/progress.ts';

const ids = ['01-a', '02-b', '03-c', '04-d'];
const done = (...lessons: string[]) => Object.fromEntries(lessons.map((id) => [id, { completedAt: '2026-01-01T00:00:00.000Z' }]));

describe('where the learner goes on', () => {
  test('the lesson they last opened, while it is not complete', () => {
    expect(nextLesson(ids, done('01-a'), '03-c')).toBe('03-c');
  });

  test('else the first lesson not complete, even one they skipped', () => {
    expect(nextLesson(ids, done('01-a', '03-c'), '03-c')).toBe('02-b');
    expect(nextLesson(ids, done('01-a'), null)).toBe('02-b');
    expect(nextLesson(ids, {}, 'gone-lesson')).toBe('01-a');
  });

  test('nowhere once every lesson is complete', () => {
    expect(nextLesson(ids, done(...ids), '04-d')).toBeNull();
  });
});
