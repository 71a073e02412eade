import type { Frame, Page } from 'playwright-core';
import { BACKEND_URL } from '../../src/sandbox/shop.ts';

/** The shop inside the workspace's preview iframe. */
export function previewFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f !== page.mainFrame() && f.url().startsWith('http://127.0.0.1:'));
  if (!frame) throw new Error('the preview iframe is not loaded');
  return frame;
}

/** The preview's heading, or null while it shows none. */
const previewHeading = (page: Page) =>
  Promise.resolve()
    .then(() => previewFrame(page).locator('h1').textContent({ timeout: 1000 }))
    .catch(() => null);

/**
 * Waits until the sandbox has booted and the shop shows in the preview (usable in hooks too).
 * A preview still blank long after the shop is ready is reloaded once, as a learner would with
 * its reload button, and said loudly with what the page showed (CI has seen it, rarely, under
 * load; the cause is not known yet); blank after that too, it fails with the same account.
 */
export async function waitForBoot(page: Page) {
  await page.waitForFunction(() => document.querySelector('.ws')?.getAttribute('data-boot-step') === 'ready', null, { timeout: 240_000, polling: 250 });
  const started = Date.now();
  const deadline = started + 90_000; // a busy machine's backend may answer well after Vite
  let reloaded = false;
  for (;;) {
    const heading = await previewHeading(page);
    // The frontend can serve before the backend listens: wait until the API answers too (asked
    // from here, not from the page, so the shop's own telemetry stays as the learner's clicks made it).
    const health = heading
      ? await fetch(`${BACKEND_URL}/health`).then(
          (response) => `answered ${response.status}`,
          (error: Error) => `${error.message}: ${error.cause ?? ''}`,
        )
      : 'not asked';
    if (health === 'answered 200') return;
    if (Date.now() > deadline) throw new Error(`the shop never showed in the preview with its API answering:\n${await bootState(page, heading, health)}`);
    if (!heading && !reloaded && Date.now() - started > 45_000) {
      reloaded = true;
      console.warn(`PREVIEW BLANK 45 s after the shop was ready; reloading it once.\n${await bootState(page, heading, health)}`);
      await reloadPreview(page).catch(() => undefined);
    }
    await page.waitForTimeout(250);
  }
}

/**
 * Reloads the preview as a learner would. A navigation already under way (Vite reloads the page
 * when a change cannot be hot-swapped, e.g. in main.tsx) destroys the page's context under the
 * call: it is waited out and the reload asked again.
 */
export async function reloadPreview(page: Page) {
  for (let attempt = 1; ; attempt++) {
    try {
      // Reloaded after evaluate returns: a reload inside it would destroy its context before it answers.
      await previewFrame(page).evaluate(() => void setTimeout(() => location.reload(), 0));
      return;
    } catch (error) {
      if (attempt === 10 || !/Execution context was destroyed/.test(String(error))) throw error;
      await page.waitForTimeout(500);
    }
  }
}

/** What the workspace shows (the shop, the preview, console errors, the shop's output): for a failure message. */
export async function bootState(page: Page, heading: string | null, health: string): Promise<string> {
  const ws = page.locator('.ws');
  const attribute = (name: string) => ws.getAttribute(name, { timeout: 1000 }).catch(() => null);
  // The rows only: the terminal's element also holds its stylesheet.
  const output = await page
    .getByTestId('terminal-dev-server-output')
    .locator('.xterm-rows')
    .innerText({ timeout: 1000 })
    .catch(() => null);
  const preview = await Promise.resolve()
    .then(() =>
      previewFrame(page).evaluate(() => ({
        readyState: document.readyState,
        body: document.body?.innerHTML.slice(0, 400) ?? null,
        failedLoads: performance
          .getEntriesByType('resource')
          .filter((entry) => [0, 4, 5].includes(Math.floor(((entry as PerformanceResourceTiming).responseStatus ?? 200) / 100)))
          .map((entry) => `${(entry as PerformanceResourceTiming).responseStatus} ${entry.name}`)
          .slice(0, 20),
      })),
    )
    .catch((error: Error) => `could not be read: ${error.message}`);
  const messages = (await page.consoleMessages().catch(() => []))
    .filter((message) => message.type() === 'error' || message.type() === 'warning')
    .slice(-15)
    .map((message) => `  ${message.type()}: ${message.text().slice(0, 300)} (${message.location().url})`);
  const errors = (await page.pageErrors().catch(() => [])).slice(-5).map((error) => `  ${error.message.slice(0, 300)}`);
  return [
    `preview heading: ${heading === null ? 'none' : JSON.stringify(heading)}; backend /health: ${health}`,
    `runtime ${await attribute('data-runtime')}, shop ${await attribute('data-shop')}, lesson ${await attribute('data-lesson')}`,
    `frames: ${page
      .frames()
      .map((frame) => frame.url())
      .join(', ')}`,
    `preview: ${JSON.stringify(preview)}`,
    `console errors and warnings (last 15):\n${messages.join('\n') || '  none'}`,
    `uncaught errors (last 5):\n${errors.join('\n') || '  none'}`,
    `shop output (end): ${output?.slice(-1500) ?? 'not shown'}`,
  ].join('\n');
}

/**
 * Goes to `href` as a link on the page does: the site's router swaps the page in, and the workspace
 * (its sandbox, its editor and the editor's TypeScript) stays, as it does by the Next link.
 */
export async function followLink(page: Page, href: string) {
  await page.evaluate((target) => {
    const link = Object.assign(document.createElement('a'), { href: target });
    document.body.append(link);
    link.click();
    link.remove();
  }, href);
}

/** The workspace shows lesson `id`. */
export const lessonShown = (page: Page, id: string) =>
  page.waitForFunction((lesson) => document.querySelector('.ws')?.getAttribute('data-lesson') === lesson, id, { timeout: 60_000 });

/** The workspace shows lesson `id`, its files are in the sandbox, and the shop runs them. */
export async function lessonReady(page: Page, id: string) {
  await lessonShown(page, id);
  await page.waitForFunction(
    () => document.querySelector('.ws')?.getAttribute('data-lesson-synced') === 'true' && document.querySelector('.ws')?.getAttribute('data-shop') === 'ready',
    null,
    { timeout: 120_000 },
  );
}

export async function openFile(page: Page, path: string) {
  const tree = page.getByRole('navigation', { name: 'Sandbox files' });
  const button = tree.locator(`button[title="${path}"]`);
  if (!(await button.isVisible())) await tree.getByText(/^All files/).click();
  await button.click();
  // Playwright's own waits, not Vitest's: the benches (bench/) use these helpers outside a test.
  await page.waitForFunction(() => document.querySelector('.code-editor')?.getAttribute('data-loaded') === 'true', null, { timeout: 30_000 });
  await page.waitForFunction(() => Boolean(document.querySelector('.monaco-editor .view-lines')?.textContent), null, { timeout: 10_000 });
}

/**
 * Puts the cursor in the editor by clicking near the top-left of its text area. (The middle of
 * `.view-lines` can lie off screen when the editor is scrolled sideways, and a click there misses.)
 */
async function focusEditor(page: Page) {
  await page
    .locator('.monaco-editor')
    .first()
    .click({ position: { x: 120, y: 24 } });
  await page.waitForFunction(() => Boolean(document.activeElement?.closest('.monaco-editor')), null, { timeout: 10_000 });
}

/** What a learner does: find the text (Ctrl+F), close the find box, type over the selection. */
export async function replaceInEditor(page: Page, find: string, replacement: string) {
  await focusEditor(page);
  await page.keyboard.press('Control+F');
  // The find box keeps the last search: wait for it to have focus, then type over what it holds.
  await page.waitForFunction(
    () => {
      const findInput = document.querySelector('.find-widget.visible .monaco-findInput')?.querySelector('textarea, input');
      return Boolean(findInput) && findInput === document.activeElement;
    },
    null,
    { timeout: 10_000 },
  );
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(find);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.insertText(replacement);
}

/**
 * Replaces the whole open file the way a learner pastes a snippet: select all, then a paste event
 * carrying the text (typed text would be auto-indented line by line; pasted text is not).
 */
export async function pasteWholeFile(page: Page, contents: string) {
  await focusEditor(page);
  await page.keyboard.press('Control+A');
  // The paste goes to whatever has focus: Monaco's native edit context (or its textarea).
  await page.evaluate((text) => {
    const data = new DataTransfer();
    data.setData('text/plain', text);
    document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, contents);
}

export const terminalText = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"] .xterm-rows`).innerText();
