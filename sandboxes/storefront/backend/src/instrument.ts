// Loaded before the app (see scripts/dev.mjs: `run-ts.mjs --import ./backend/src/instrument.ts`), so that
// anything set up here sees every module the app loads. The shop is not instrumented yet.
export {};
