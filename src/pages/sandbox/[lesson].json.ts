import type { APIRoute, GetStaticPaths } from 'astro';
import { getLessons } from '../../lessons/catalog.ts';
import { lessonSandbox } from '../../lessons/sandbox-files.ts';

/** /sandbox/<lesson>.json: the files the workspace mounts for a lesson, and its solution. */
export const getStaticPaths = (async () => {
  const lessons = await getLessons();
  return lessons.map((lesson) => ({ params: { lesson: lesson.id } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ params }) => {
  const sandbox = await lessonSandbox(params.lesson!);
  return new Response(JSON.stringify(sandbox), { headers: { 'Content-Type': 'application/json' } });
};
