import type { ConsoleMessage, Page } from 'playwright-core';

/**
 * What the shop in the preview is meant to log while the course's outage runs (lessons 6 to 9):
 * its API answering 500. Anything else logged as an error, by the course or by the shop, is a
 * problem, and so is every uncaught error of the course's page.
 */
const STORY_ERRORS: { why: string; matches: (message: ConsoleMessage) => boolean }[] = [
  {
    why: "the shop's API answers 502 through Vite's proxy for the moment its backend (re)starts: at boot, and when a lesson writes a backend file",
    matches: (message) =>
      /^Failed to load resource: the server responded with a status of 50[234]/.test(message.text()) &&
      /^http:\/\/127\.0\.0\.1:\d+\/api\//.test(message.location().url),
  },
  {
    why:
      "lesson 3's first import of the Sentry SDK in the frontend makes Vite bundle it and reload the page: a module request " +
      'already on its way for the old bundle gets 504. Bundling it at every start instead costs every boot 2 s (esbuild-wasm)',
    matches: (message) =>
      /^Failed to load resource: the server responded with a status of 504 \(Outdated Optimize Dep\)/.test(message.text()) &&
      /^http:\/\/127\.0\.0\.1:\d+\/.*\.vite\/deps\//.test(message.location().url),
  },
  {
    why: "the shipped bug makes the shop's API answer 500 (lessons 6 to 8), and lesson 9 ships it again",
    matches: (message) =>
      /^Failed to load resource: the server responded with a status of 500/.test(message.text()) &&
      /^http:\/\/127\.0\.0\.1:\d+\/api\//.test(message.location().url),
  },
];

/** Collects the page's console errors and uncaught errors from now on; `problems()` lists them. */
export function guardConsole(page: Page): { problems: () => string[] } {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' || STORY_ERRORS.some((expected) => expected.matches(message))) return;
    problems.push(`${new Date().toISOString()} on ${page.url()}: console.error from ${message.location().url || 'the page'}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`${new Date().toISOString()} on ${page.url()}: uncaught ${error.stack ?? error.message}`));
  return { problems: () => [...problems] };
}
