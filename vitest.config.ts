import { defineConfig } from 'vitest/config';

/**
 * Four projects: fast unit and contract tests; the shop's own processes on their fixed ports (the
 * checkpoint proof, the browser's path), and tests that need a process of their own, one file at a time; a Check on a busy machine; and browser tests that drive real
 * Chromium, which also run the shop. The storefront sandbox has its own Vitest (it must run on
 * Node 20 too); tests/run-all.ts runs it.
 */
const SHOP_ON_FIXED_PORTS = ['tests/lessons/checkpoints.test.ts', 'tests/sandbox/**/*.test.ts', 'tests/runtime/shop-guard.test.ts'];
/**
 * Unit tests run in worker threads: 94 CPU-s for them all instead of 107 in a process each. A test
 * that works from another folder (process.chdir, as a Check's files do in the sandbox) needs a
 * process of its own, and runs with the shop's.
 */
const OWN_PROCESS = ['tests/telemetry/check-recording.test.ts'];
/** A CPU hog on every core: run alone, after the lanes (a hog beside them would starve their tests). */
const BUSY_MACHINE = ['tests/lessons/busy-machine.test.ts'];
/**
 * What a test waits for (a page after a click, a status file, a process's answer) can take seconds
 * while the other lanes load the machine: a poll waits up to 10 s, not Vitest's 1 s.
 */
const expect = { poll: { timeout: 10_000 } };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/browser/**', ...SHOP_ON_FIXED_PORTS, ...OWN_PROCESS, ...BUSY_MACHINE],
          pool: 'threads',
          testTimeout: 30_000,
          expect,
        },
      },
      {
        test: {
          name: 'sandbox',
          include: [...SHOP_ON_FIXED_PORTS, ...OWN_PROCESS],
          testTimeout: 60_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          expect,
        },
      },
      {
        test: {
          name: 'busy',
          include: BUSY_MACHINE,
          hookTimeout: 300_000,
          expect,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 180_000,
          expect,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
