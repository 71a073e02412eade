// Runs a lesson's checkpoint tests inside the learner's sandbox, against the running shop.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['course-checks/**/*.test.ts'],
    testTimeout: 30_000,
    fileParallelism: false,
  },
});
