import { defineConfig } from 'vitest/config';

// Two projects: fast unit/contract tests, and browser tests that drive real Chromium.
// The storefront sandbox has its own Vitest (it must run on Node 20 too); tests/run-all.ts runs it.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/browser/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
