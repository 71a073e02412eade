/**
 * Time to a running shop, on the local runtime in real Chromium, booting from the packages snapshot:
 *   - opening lesson 1: to a readable lesson, to the editor, to the shop in the preview; cold (the
 *     server has not read the snapshot yet) and warm (a second sandbox);
 *   - moving to the next lesson in the same workspace: until its files are in the sandbox and the
 *     shop runs them. Lesson 1 → 2 changes no backend file; 5 → 6 ships one (a backend restart).
 *     Budget: 2 s.
 * Run after `npm run build`:  node bench/time-to-shop.ts
 */
import type { Page } from 'playwright-core';
import { launchChromium } from '../tests/support/chromium.ts';
import { startSite } from '../tests/support/site-server.ts';

const SWITCH_BUDGET_MS = 2000;
const REPEATS = 3;

const browser = await launchChromium();
const site = await startSite();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function openLesson1(label: string) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await site.authenticate(context);
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`, { waitUntil: 'commit' });
  await page.locator('article h1').waitFor();
  const readable = performance.now() - started;
  await page.locator('.monaco-editor').waitFor({ timeout: 60_000 });
  const editor = performance.now() - started;
  await page.waitForFunction(() => document.querySelector('.ws')?.getAttribute('data-boot-step') === 'ready', null, { timeout: 300_000, polling: 100 });
  await page.frameLocator('iframe[title="Shop preview"]').locator('.product-card').first().waitFor({ timeout: 60_000 });
  const shop = performance.now() - started;
  console.log(`${label.padEnd(5)} readable ${readable.toFixed(0)} ms · editor ${editor.toFixed(0)} ms · shop in the preview ${seconds(shop)}`);
  return { context, page };
}

/** Follows a lesson link and waits until that lesson's files are in the sandbox and the shop runs them. */
async function switchTo(page: Page, link: 'Next' | 'Previous', lesson: string): Promise<number> {
  const started = performance.now();
  await page.getByRole('link', { name: new RegExp(`^${link}`) }).click();
  await page.waitForFunction(
    (id) => {
      const ws = document.querySelector('.ws');
      return ws?.getAttribute('data-lesson') === id && ws.getAttribute('data-lesson-synced') === 'true' && ws.getAttribute('data-shop') === 'ready';
    },
    lesson,
    { timeout: 120_000, polling: 50 },
  );
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

let overBudget = false;
try {
  console.log('Opening lesson 1 (local runtime, packages from the snapshot)');
  const cold = await openLesson1('cold');
  await cold.context.close();
  const warm = await openLesson1('warm');

  console.log(`\nNext lesson → its files in the sandbox and the shop running them (median of ${REPEATS}, budget ${seconds(SWITCH_BUDGET_MS)})`);
  const { page } = warm;
  const quiet = { next: [] as number[], back: [] as number[] };
  for (let i = 0; i < REPEATS; i++) {
    quiet.next.push(await switchTo(page, 'Next', '02-trace-the-backend'));
    quiet.back.push(await switchTo(page, 'Previous', '01-meet-the-storefront'));
  }
  await page.goto(`${site.url}/lessons/05-a-dashboard-for-the-checkout/?runtime=local`);
  await page.waitForFunction(() => document.querySelector('.ws')?.getAttribute('data-lesson-synced') === 'true', null, { timeout: 300_000 });
  const restart = { next: [] as number[], back: [] as number[] };
  for (let i = 0; i < REPEATS; i++) {
    restart.next.push(await switchTo(page, 'Next', '06-something-broke'));
    restart.back.push(await switchTo(page, 'Previous', '05-a-dashboard-for-the-checkout'));
  }
  console.log('| move | files only | median | all runs |');
  console.log('|---|---|---|---|');
  for (const [move, runs, filesOnly] of [
    ['lesson 1 → 2', quiet.next, 'yes'],
    ['lesson 2 → 1', quiet.back, 'yes'],
    ['lesson 5 → 6', restart.next, 'no: the backend restarts'],
    ['lesson 6 → 5', restart.back, 'no: the backend restarts'],
  ] as const) {
    overBudget ||= median(runs) > SWITCH_BUDGET_MS;
    console.log(`| ${move} | ${filesOnly} | ${median(runs).toFixed(0)} ms | ${runs.map((ms) => ms.toFixed(0)).join(', ')} |`);
  }
  await warm.context.close();
} finally {
  await browser.close();
  await site.stop();
}
if (overBudget) {
  console.log(`\nover budget: a lesson switch took longer than ${seconds(SWITCH_BUDGET_MS)} (median)`);
  process.exitCode = 1;
}
