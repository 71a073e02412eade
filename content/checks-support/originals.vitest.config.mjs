// Runs the learner's own tests (the sandbox's test setup) with some shop files swapped for another
// version of them (see sandbox-tests.ts): the shop's own (course-checks/storefront/) or the one a
// lesson shipped (course-checks/shipped/). The code under test is loaded from there; the files on
// disk stay as the learner has them.
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const swapped = new Map(
  (process.env.COURSE_ORIGINAL_FILES ?? '')
    .split(',')
    .filter(Boolean)
    .map((path) => [resolve(path), resolve(process.env.COURSE_SWAP_FROM ?? 'course-checks/storefront', path)]),
);

export default defineConfig({
  root: process.cwd(),
  plugins: [
    react(),
    {
      name: 'course-original-files',
      enforce: 'pre',
      load(id) {
        const original = swapped.get(id.split('?')[0]);
        return original ? readFileSync(original, 'utf8') : undefined;
      },
    },
  ],
  test: { include: ['tests/**/*.test.{ts,tsx}'] },
});
