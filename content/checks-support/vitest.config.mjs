// Runs a lesson's checkpoint tests inside the learner's sandbox, against the running shop.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['course-checks/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    fileParallelism: false,
  },
});
