// Runs one of the learner's test files in several versions of the shop at once, in one Vitest (see
// test-file-runner.mjs): a project per version, each with some shop files swapped for another
// version of them: the shop's own (course-checks/storefront/) or the one a lesson shipped
// (course-checks/shipped/). The code under test is loaded from there; the files on disk stay as the
// learner has them.
import react from '@vitejs/plugin-react';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/** { path, versions: [{ name, swapFrom, files }], testTimeout }: one project per version. */
const { path, versions = [], testTimeout = 5000 } = JSON.parse(process.env.COURSE_TEST_FILE_REQUEST ?? '{}');

function swapFiles({ swapFrom, files }) {
  const swapped = new Map(files.map((file) => [resolve(file), resolve(swapFrom, file)]));
  return {
    name: 'course-swapped-files',
    enforce: 'pre',
    load(id) {
      const other = swapped.get(id.split('?')[0]);
      return other ? readFileSync(other, 'utf8') : undefined;
    },
  };
}

export default defineConfig({
  test: {
    projects: versions.map((version) => ({
      plugins: [react(), swapFiles(version)],
      test: { name: version.name, include: [path], testTimeout },
    })),
    maxWorkers: Math.max(1, versions.length),
  },
});
