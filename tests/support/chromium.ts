import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Debian's Chromium; Playwright's own browser download cannot work offline. */
export function findChromium(): string {
  const found = CANDIDATES.find((path): path is string => Boolean(path && existsSync(path)));
  if (!found) {
    throw new Error(
      'Browser tests need Chromium, and none was found at /usr/bin/chromium.\n' +
        'Install it with:  sudo apt-get update && sudo apt-get install -y chromium\n' +
        'or point CHROMIUM_PATH at a Chromium/Chrome binary.',
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // JavaScript optimised up to V8's mid tier (Maglev), as the local runtime's sandbox processes
      // are (src/runtime/local/v8-tiers.mjs). A page load compiles megabytes of Monaco and TypeScript
      // that mostly run once; TurboFan's background compiles cost more than they return here: the
      // accessibility and course-session tests took 116 CPU-s instead of 126 (alternating runs, 2 each).
      // It changes speed only, nothing a page can see.
      '--js-flags=--max-opt=2',
    ],
  });
}
