/**
 * Span latency as a learner sees it: with the shop instrumented, from a request in the preview
 * (a reload of the shop) to its trace, with backend and frontend spans, on screen in the
 * Telemetry panel. Local runtime, real Chromium, real SDKs. Run after `npm run build`:
 *   node bench/span-latency.ts [rounds]
 */
import { readFileSync } from 'node:fs';
import { launchChromium } from '../tests/support/chromium.ts';
import { startSite } from '../tests/support/site-server.ts';
import { waitForBoot } from '../tests/support/workspace-page.ts';

const rounds = Number(process.argv[2] ?? 5);
const read = (folder: string, path: string) => readFileSync(new URL(`../${folder}/${path}`, import.meta.url), 'utf8');
const edits = {
  ...Object.fromEntries(['backend/src/instrument.ts', 'backend/src/app.ts'].map((path) => [path, read('content/lessons/02-trace-the-backend/solution', path)])),
  ...Object.fromEntries(
    ['frontend/src/instrument.ts', 'frontend/src/main.tsx', 'frontend/src/App.tsx'].map((path) => [path, read('tests/fixtures/instrumented', path)]),
  ),
};

const site = await startSite();
const browser = await launchChromium();
try {
  const page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
  await page.goto(`${site.url}/`);
  await page.evaluate((value) => localStorage.setItem('ctl:edits:01-meet-the-storefront', value), JSON.stringify(edits));
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
  await waitForBoot(page);
  const firstSpan: number[] = [];
  const fullTrace: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByRole('tab', { name: 'Preview' }).click();
    const started = performance.now();
    await page.getByRole('button', { name: 'Reload preview' }).click();
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await page.locator('.telemetry-table tbody tr').first().waitFor({ timeout: 30_000 });
    firstSpan.push(performance.now() - started);
    await page.locator('.telemetry-table tbody tr', { hasText: 'frontend' }).filter({ hasText: 'backend' }).first().waitFor({ timeout: 30_000 });
    fullTrace.push(performance.now() - started);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(`request → first span on screen: median ${median(firstSpan).toFixed(0)} ms (${firstSpan.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(
    `request → trace with browser and backend spans on screen: median ${median(fullTrace).toFixed(0)} ms (${fullTrace.map((v) => v.toFixed(0)).join(', ')})`,
  );
} finally {
  await browser.close();
  await site.stop();
}
