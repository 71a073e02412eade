// Runs a lesson's checkpoint tests inside the learner's sandbox, against the running shop.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// One "Check" press is one Vitest run: telemetry from before this moment is not the learner's answer
// (telemetry.ts ignores it). Set here, in the main process, so every test file sees the same moment.
process.env.COURSE_CHECK_STARTED_AT ??= String(Date.now());

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['course-checks/**/*.test.{ts,tsx}'],
    // Each check waits for at most a few seconds and then says why it gave up; these limits are only
    // a backstop, and hooks get as long as tests, so a slow set-up never fails without its reason.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
