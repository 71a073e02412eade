// Runs one of the learner's test files in several versions of the shop at once, in one Vitest: a
// project per version, each with some shop files swapped for another version of them (see
// sandbox-tests.ts): the shop's own (course-checks/storefront/) or the one a lesson shipped
// (course-checks/shipped/). The code under test is loaded from there; the files on disk stay as the
// learner has them. One Vitest instead of one per version saves a Vitest start (a second of CPU).
import react from '@vitejs/plugin-react';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/** [{ name, swapFrom, files }]: one run per entry. */
const versions = JSON.parse(process.env.COURSE_TEST_FILE_VERSIONS ?? '[]');
const file = process.env.COURSE_TEST_FILE;
const testTimeout = Number(process.env.COURSE_TEST_TIMEOUT) || 5000;

function swapFiles({ swapFrom, files }) {
  const swapped = new Map(files.map((path) => [resolve(path), resolve(swapFrom, path)]));
  return {
    name: 'course-swapped-files',
    enforce: 'pre',
    load(id) {
      const other = swapped.get(id.split('?')[0]);
      return other ? readFileSync(other, 'utf8') : undefined;
    },
  };
}

/** Writes { [version]: { tests: [{ name, status, failures }], loadError? } } where the check reads it. */
class ByVersionReporter {
  onTestRunEnd(testModules) {
    const byVersion = {};
    for (const module of testModules) {
      const tests = [...module.children.allTests()].map((test) => {
        const result = test.result();
        return { name: test.name, status: result.state, failures: (result.errors ?? []).map((e) => e.stack || e.message) };
      });
      byVersion[module.project.name] = { tests, loadError: module.errors()[0]?.message };
    }
    writeFileSync(process.env.COURSE_TEST_FILE_REPORT, JSON.stringify(byVersion));
  }
}

export default defineConfig({
  test: {
    projects: versions.map((version) => ({
      plugins: [react(), swapFiles(version)],
      test: { name: version.name, include: [file], testTimeout },
    })),
    maxWorkers: Math.max(1, versions.length),
    reporters: [new ByVersionReporter()],
  },
});
