import { getCollection, type CollectionEntry } from 'astro:content';

export type Lesson = CollectionEntry<'lessons'>;

/** The course in order: folders are named NN-slug, so their ids sort as the course runs. */
export async function getLessons(): Promise<Lesson[]> {
  const lessons = await getCollection('lessons');
  return lessons.sort((a, b) => a.id.localeCompare(b.id));
}

export function lessonNumber(lesson: Lesson): number {
  return Number.parseInt(lesson.id.slice(0, 2), 10);
}

export function lessonHref(lesson: Lesson): string {
  return `/lessons/${lesson.id}/`;
}
