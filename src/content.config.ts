import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { z } from 'astro/zod';

/**
 * One lesson = one folder under content/lessons/NN-slug/: `lesson.mdx` (prose and frontmatter),
 * and later `start/`, `solution/` (overlays on sandboxes/storefront/) and `checks/`.
 */
const lessons = defineCollection({
  loader: glob({
    pattern: '*/lesson.mdx',
    base: './content/lessons',
    generateId: ({ entry }) => entry.split('/')[0]!,
  }),
  schema: z.object({
    title: z.string(),
    summary: z.string(),
    /** Files of the sandbox the lesson works on, opened first in the editor. */
    focus: z.array(z.string()).default([]),
    /** Minutes a learner typically needs. */
    minutes: z.number().int().positive(),
  }),
});

export const collections = { lessons };
