/**
 * Time from opening lesson 1 to a readable lesson, to a loaded workspace, and to the shop in the
 * preview, on the local runtime in real Chromium; once with an empty npm cache (cold) and once
 * with the cache and kept node_modules of the first run (warm). Also the JS the page downloads
 * before and after the workspace loads. Run after `npm run build`:
 *   node bench/time-to-shop.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../tests/support/chromium.ts';
import { startSite } from '../tests/support/site-server.ts';

const cacheDir = mkdtempSync(join(tmpdir(), 'ctl-bench-cache-'));
const browser = await launchChromium();

async function open(label: string) {
  const site = await startSite({ CTL_CACHE_DIR: cacheDir });
  const page = await site.newPage(browser, { viewport: { width: 1440, height: 900 } });
  let jsBytes = 0;
  let jsBeforeWorkspace = 0;
  let workspaceStarted = false;
  page.on('response', async (response) => {
    if (!response.url().startsWith(site.url) || !/\.js(\?|$)/.test(response.url())) return;
    const size = Number(response.headers()['content-length'] ?? (await response.body().catch(() => Buffer.alloc(0))).length);
    jsBytes += size;
    if (!workspaceStarted) jsBeforeWorkspace += size;
  });
  const started = performance.now();
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`, { waitUntil: 'commit' });
  await page.locator('article h1').waitFor();
  const readable = performance.now() - started;
  const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  workspaceStarted = true;
  await page.locator('.monaco-editor').waitFor({ timeout: 60_000 });
  const editor = performance.now() - started;
  await page.waitForFunction(() => document.querySelector('.ws')?.getAttribute('data-boot-step') === 'ready', null, { timeout: 300_000, polling: 100 });
  const frame = page.frameLocator('iframe[title="Shop preview"]');
  await frame.locator('.product-card').first().waitFor({ timeout: 60_000 });
  const shop = performance.now() - started;
  console.log(
    `${label.padEnd(5)} readable ${readable.toFixed(0)} ms (first paint ${Number.isNaN(paint) ? "n/a" : `${paint.toFixed(0)} ms`}) · editor ${editor.toFixed(0)} ms · shop in preview ${(shop / 1000).toFixed(1)} s · JS ${(jsBeforeWorkspace / 1024).toFixed(1)} KiB before the workspace, ${(jsBytes / 1024).toFixed(0)} KiB after (uncompressed)`,
  );
  await page.close();
  await site.stop();
}

try {
  await open('cold');
  await open('warm');
} finally {
  await browser.close();
  rmSync(cacheDir, { recursive: true, force: true });
}
