/**
 * Issue 5's story, end to end in Chromium on the local runtime: shoppers on the lesson-4 solution
 * give the "Items at checkout" widget a live non-zero curve; shipping lesson 6's change drops it
 * and raises the errors widget; an alert on the widget's query fires into #checkout-team, and
 * resolves once the fix ships.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { artifactPath } from '../support/artifacts.ts';
import { openFile, waitForBoot } from '../support/workspace-page.ts';
import {
  addWidget,
  createAlertFromWidget,
  shipTheBug,
  shipTheFix,
  startShoppers,
  telemetryView,
  waitForAlert,
  widget,
  widgetLatest,
} from '../support/monitoring-page.ts';

const LESSON_ID = '05-a-dashboard-for-the-checkout';

let site: RunningSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 1000 } });
  await page.goto(`${site.url}/lessons/${LESSON_ID}/?runtime=local`);
  await waitForBoot(page);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

test('a live checkout dashboard drops with the bad deploy, and its alert fires and resolves', { timeout: 420_000 }, async () => {
  await startShoppers(page, '120');
  await addWidget(page, 'Items at checkout', { search: 'span.name:"Submit Checkout Form"', aggregate: 'avg', of: 'items_at_checkout' });
  await addWidget(page, 'Errors by endpoint', { search: 'span.op:http.server !span.status:ok', aggregate: 'count', groupBy: 'span.name' });
  await expect.poll(() => widgetLatest(page, 'Items at checkout'), { timeout: 60_000, interval: 1000 }).toBeGreaterThan(0);
  await page.screenshot({ path: artifactPath('span-metrics-1-healthy.png') });

  const rule = { name: 'Checkout items dropped', channel: '#checkout-team' };
  await createAlertFromWidget(page, 'Items at checkout', { ...rule, threshold: '1', window: '30 s' });

  // Both are JSON in the sandbox, next to the shop's code.
  const tree = page.getByRole('navigation', { name: 'Sandbox files' });
  await openFile(page, 'monitoring/alerts.json');
  await expect.poll(() => page.locator('.monaco-editor .view-lines').innerText()).toContain('#checkout-team');
  await expect(tree.locator('button[title="monitoring/dashboards.json"]').count()).resolves.toBe(1);

  await shipTheBug(page);
  await telemetryView(page, 'Dashboard');
  await expect.poll(() => widgetLatest(page, 'Items at checkout'), { timeout: 90_000, interval: 1000 }).toBe(0);
  await expect.poll(() => widget(page, 'Errors by endpoint').locator('.u-legend').innerText(), { timeout: 30_000 }).toContain('GET /products');
  await page.screenshot({ path: artifactPath('span-metrics-2-drop-off.png') });

  await waitForAlert(page, rule, 'Firing');
  await page.screenshot({ path: artifactPath('span-metrics-3-firing.png') });

  await shipTheFix(page);
  await waitForAlert(page, rule, 'Resolved');
  await expect(page.getByRole('list', { name: 'History of Checkout items dropped' }).innerText()).resolves.toMatch(/Firing[\s\S]*Resolved/);
  await page.screenshot({ path: artifactPath('span-metrics-4-resolved.png') });
  await page.getByRole('button', { name: 'Stop shoppers' }).click();
});
