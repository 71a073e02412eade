/**
 * The whole course in Chromium, as a learner takes it: lesson 1 opened once, then each next lesson
 * by its Next link in the same workspace (no reboot), each solved in the editor (pasted into
 * Monaco, never written behind its back) or in the Telemetry UI, each checked with "Check". On the
 * way: the spans, the live checkout dashboard (kept as JSON in the sandbox), the drop-off, two
 * errors in one trace, the fix, and the alert firing into its channel and resolving. This is the
 * one test of the dashboard → outage → alert story. A screenshot per lesson lands in test-results/.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { launchChromium } from '../support/chromium.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { artifactPath } from '../support/artifacts.ts';
import { lessonReady, openFile, pasteWholeFile, waitForBoot } from '../support/workspace-page.ts';
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

let site: RunningSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 1000 } });
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

/** The next lesson, by its link, in the same workspace: its files written, the shop running them. */
async function nextLesson(id: string) {
  await page.getByRole('link', { name: /^Next/ }).click();
  await lessonReady(page, id);
}

/** Types (pastes) each file of the lesson's solution into the editor. */
async function writeSolution(id: string) {
  for (const [path, contents] of Object.entries((await lessonSandbox(id)).solution)) {
    await openFile(page, path);
    await pasteWholeFile(page, contents);
  }
}

async function checkPasses(id: string) {
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  const checks = page.locator('#panel-checks');
  await expect
    .poll(
      () =>
        checks
          .locator('.checks-summary')
          .innerText()
          .catch(() => ''),
      { timeout: 90_000, interval: 500 },
    )
    .toMatch(/All checks passed|not passing yet/);
  expect(await checks.innerText(), `lesson ${id}'s checks`).toMatch(/All checks passed/);
  await page.screenshot({ path: artifactPath(`walkthrough-${id}.png`) });
}

test('a learner takes all nine lessons, solving each in the workspace', { timeout: 900_000 }, async () => {
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
  await waitForBoot(page);
  const booted = await page.locator('.ws').getAttribute('data-boot-id');
  await checkPasses('01-meet-the-storefront');

  await nextLesson('02-trace-the-backend');
  await writeSolution('02-trace-the-backend');
  await checkPasses('02-trace-the-backend');

  await nextLesson('03-trace-the-frontend');
  await writeSolution('03-trace-the-frontend');
  await checkPasses('03-trace-the-frontend');
  // The spans: one trace holds the browser's and the backend's.
  await telemetryView(page, 'Traces');
  await expect
    .poll(() => page.locator('.telemetry-table tbody tr').filter({ hasText: 'backend' }).filter({ hasText: 'frontend' }).count(), { timeout: 30_000 })
    .toBeGreaterThan(0);

  await nextLesson('04-measure-what-matters');
  await writeSolution('04-measure-what-matters');
  await checkPasses('04-measure-what-matters');

  await nextLesson('05-a-dashboard-for-the-checkout');
  await startShoppers(page, '120');
  await addWidget(page, 'Items at checkout', { search: 'span.name:"Submit Checkout Form"', aggregate: 'avg', of: 'items_at_checkout' });
  await addWidget(page, 'Errors by endpoint', { search: 'span.op:http.server !span.status:ok', aggregate: 'count', groupBy: 'span.name' });
  await addWidget(page, 'Checkout duration', { search: 'span.name:"Submit Checkout Form"', aggregate: 'p95', of: 'span.duration' });
  await expect.poll(() => widgetLatest(page, 'Items at checkout'), { timeout: 60_000, interval: 1000 }).toBeGreaterThan(0);
  await checkPasses('05-a-dashboard-for-the-checkout');

  // Dashboards and alert rules are JSON in the sandbox, next to the shop's code.
  await openFile(page, 'monitoring/dashboards.json');
  await expect.poll(() => page.locator('.monaco-editor .view-lines').innerText()).toContain('items_at_checkout');

  // Lesson 6 starts with the bad change shipped: the drop-off, and two errors in one trace. The
  // shoppers started in lesson 5 keep shopping in the same workspace.
  await nextLesson('06-something-broke');
  await telemetryView(page, 'Dashboard');
  expect(await page.getByRole('button', { name: 'Stop shoppers' }).count()).toBe(1);
  await expect.poll(() => widgetLatest(page, 'Items at checkout'), { timeout: 60_000, interval: 1000 }).toBe(0);
  await expect.poll(() => widget(page, 'Errors by endpoint').locator('.u-legend').innerText(), { timeout: 30_000 }).toContain('GET /products');
  await checkPasses('06-something-broke');
  await telemetryView(page, 'Issues');
  const backendIssue = page.locator('.issue-row').filter({ hasText: "TypeError: Cannot read properties of null (reading 'includes')" });
  const frontendIssue = page.locator('.issue-row').filter({ hasText: 'ApiError: Something went wrong on our side.' });
  await expect.poll(() => backendIssue.count(), { timeout: 20_000 }).toBe(1);
  await expect.poll(() => frontendIssue.count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: artifactPath('walkthrough-06-issues.png') });

  // Lesson 7: from the frontend error, the full trace, the backend error, its frame; then a test.
  await nextLesson('07-follow-the-full-trace');
  await telemetryView(page, 'Issues');
  await expect.poll(() => frontendIssue.count(), { timeout: 30_000 }).toBeGreaterThan(0);
  await frontendIssue.first().click();
  await page.getByRole('button', { name: 'View full trace' }).click();
  await expect
    .poll(() => page.locator('.waterfall-rows li[data-service="backend"][data-error]').filter({ hasText: 'GET /products' }).count(), { timeout: 10_000 })
    .toBeGreaterThan(0);
  await page.screenshot({ path: artifactPath('walkthrough-07-full-trace.png') });
  await telemetryView(page, 'Issues');
  await backendIssue.click();
  await page
    .locator('.frame[data-in-app="true"]')
    .first()
    .getByRole('button', { name: /backend\/src\/inventory\.ts:\d+/ })
    .click();
  await expect.poll(() => page.locator('.tab[data-active="true"]').first().innerText()).toContain('inventory.ts');
  await writeSolution('07-follow-the-full-trace');
  await checkPasses('07-follow-the-full-trace');

  await nextLesson('08-fix-it');
  await writeSolution('08-fix-it');
  await checkPasses('08-fix-it');

  // Lesson 9: the alert, then the outage again to watch it fire and resolve.
  await nextLesson('09-dont-watch-get-alerted');
  const rule = { name: 'Checkout items dropped', channel: '#checkout-team' };
  await createAlertFromWidget(page, 'Items at checkout', { ...rule, threshold: '1', window: '30 s' });
  await openFile(page, 'monitoring/alerts.json');
  await expect.poll(() => page.locator('.monaco-editor .view-lines').innerText()).toContain('#checkout-team');
  await checkPasses('09-dont-watch-get-alerted');
  await shipTheBug(page);
  await waitForAlert(page, rule, 'Firing');
  await page.screenshot({ path: artifactPath('walkthrough-09-firing.png') });
  await shipTheFix(page);
  await waitForAlert(page, rule, 'Resolved');
  await expect(page.getByRole('list', { name: 'History of Checkout items dropped' }).innerText()).resolves.toMatch(/Firing[\s\S]*Resolved/);
  await page.screenshot({ path: artifactPath('walkthrough-09-resolved.png') });
  await page.getByRole('button', { name: 'Stop shoppers' }).click();
  // One boot for the whole course: every lesson after the first changed files only.
  expect(await page.locator('.ws').getAttribute('data-boot-id')).toBe(booted);

  await page.goto(`${site.url}/`);
  for (const lesson of lessonIds()) {
    expect(await page.locator(`li[data-lesson-id="${lesson}"]`).getAttribute('data-complete'), lesson).toBe('true');
  }
});
