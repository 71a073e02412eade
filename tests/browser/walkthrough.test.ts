/**
 * The whole course in Chromium, as a learner takes it: lesson 1 opened from the home page, then
 * each next lesson by its Next link in the same workspace (no reboot), each solved in the editor
 * (pasted into Monaco, never written behind its back) or in the Telemetry UI, each checked with
 * "Check". On the way: the spans, found in Traces as the lessons say (the newest trace, a search
 * for the checkout, never a trace left open by an earlier lesson), the live checkout dashboard
 * (kept as JSON in the sandbox), the drop-off, two errors in one trace, the fix, and the alert
 * firing into its channel and resolving. This is the one test of the dashboard → outage → alert
 * story. At each lesson's start and once it is solved, the editor marks nothing in any file, and
 * each version of each file opens with no squiggle (support/editor-problems.ts). No console error
 * and no uncaught error on the way, from the course or from the shop,
 * except the shop's API answering 500 while the bug is shipped (support/console-guard.ts). A
 * screenshot per lesson lands in test-results/.
 */
import { afterAll, beforeAll, expect, onTestFailed, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { launchChromium } from '../support/chromium.ts';
import { sandboxFile, startSite, type RunningSite } from '../support/site-server.ts';
import { artifactPath } from '../support/artifacts.ts';
import { guardConsole } from '../support/console-guard.ts';
import { marksInEveryFile } from '../support/editor-problems.ts';
import { bootState, lessonReady, openFile, pasteWholeFile, previewFrame, reloadPreview, waitForBoot } from '../support/workspace-page.ts';
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
let guard: ReturnType<typeof guardConsole>;
/** What the editor marks now, each file not yet seen clean opened for its squiggles. */
let markedNow: () => Promise<string[]>;
/** Every mark the editor showed on the way, as `lesson state: path: line: message`. */
const marks: string[] = [];

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 1000 } });
  page.on('dialog', (dialog) => void dialog.accept());
  guard = guardConsole(page);
  markedNow = marksInEveryFile(page, site.sandboxesDir);
});

/** The editor's marks at this point of the course: there should be none, as tsc finds none. */
async function noteMarks(lessonId: string, state: 'start' | 'solved') {
  const found = await markedNow();
  console.log(`${lessonId} at its ${state}: ${found.length} marks`);
  marks.push(...found.map((mark) => `${lessonId} ${state}: ${mark}`));
}

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

/** The next lesson, by its link, in the same workspace: its files written, the shop running them. */
async function nextLesson(id: string) {
  expect(guard.problems().join('\n'), 'console errors and uncaught errors so far').toBe('');
  await page.getByRole('link', { name: /^Next/ }).click();
  await lessonReady(page, id);
  await noteMarks(id, 'start');
  // Auto ran the shop on this computer at once: the picker says so quietly, and nothing about
  // waiting for the browser's runtime follows the learner from lesson to lesson.
  expect(await page.getByLabel('Sandbox runtime').locator('option:checked').innerText()).toBe('Auto (this computer)');
  expect(await page.locator('.boot-slow, .boot-error').count()).toBe(0);
}

const traceRows = () => page.locator('.traces-table tbody tr');

/** Traces, as a lesson finds it: the list, not a trace some earlier lesson left open. */
async function tracesList() {
  await telemetryView(page, 'Traces');
  await page.getByLabel('Search spans and issues').fill('');
  expect(await page.getByRole('button', { name: '← All traces' }).count(), 'a trace left open by an earlier lesson').toBe(0);
  await expect.poll(() => traceRows().count(), { timeout: 30_000 }).toBeGreaterThan(0);
  // Every row is a trace with spans to show, named by its root.
  const rows = await traceRows().evaluateAll((trs) =>
    (trs as HTMLTableRowElement[]).map((tr) => ({ name: tr.cells[0]!.innerText, spans: Number(tr.cells[3]!.innerText) })),
  );
  expect(rows.filter((row) => row.spans === 0 || row.name.includes('no spans yet'))).toEqual([]);
}

/** Types (pastes) each file of the lesson's solution into the editor. */
async function writeSolution(id: string) {
  for (const [path, contents] of Object.entries((await lessonSandbox(id)).solution)) {
    await openFile(page, path);
    await pasteWholeFile(page, contents);
  }
}

/**
 * Resolves once the shop's Vite has bundled `pkg` for the browser (its optimised dependencies, as
 * committed in node_modules/.vite/deps/_metadata.json), which it does, then reloads the page, when a
 * save first imports it.
 */
async function viteBundled(pkg: string) {
  const bundled = async () => {
    const metadata = (await sandboxFile(site.sandboxesDir, 'node_modules/.vite/deps/_metadata.json')) ?? '{}';
    return pkg in ((JSON.parse(metadata) as { optimized?: object }).optimized ?? {});
  };
  await expect.poll(bundled, { timeout: 90_000, interval: 250 }).toBe(true);
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
  // The whole panel in the message: vitest shortens the value it compares, and a CI failure is
  // only as readable as what it prints.
  const verdict = await checks.innerText();
  const passed = /All checks passed/.test(verdict);
  if (!passed) await page.screenshot({ path: artifactPath(`walkthrough-${id}-failed.png`) });
  expect(passed, `lesson ${id}'s checks said:\n${verdict}`).toBe(true);
  await page.screenshot({ path: artifactPath(`walkthrough-${id}.png`) });
  await noteMarks(id, 'solved');
}

test('a learner takes all ten lessons, solving each in the workspace', { timeout: 900_000 }, async () => {
  onTestFailed(async () => console.log(`What the workspace showed when the walkthrough failed:\n${await bootState(page, null, 'not asked')}`));
  // A first visit: the home page starts the course, and the lesson opens through the site's router.
  await page.goto(`${site.url}/`);
  await page.getByRole('link', { name: 'Start with lesson 1' }).click();
  await waitForBoot(page);
  const booted = await page.locator('.ws').getAttribute('data-boot-id');
  await noteMarks('01-meet-the-storefront', 'start');
  await checkPasses('01-meet-the-storefront');

  await nextLesson('02-trace-the-backend');
  await writeSolution('02-trace-the-backend');
  await checkPasses('02-trace-the-backend');

  await nextLesson('03-trace-the-frontend');
  await writeSolution('03-trace-the-frontend');
  await checkPasses('03-trace-the-frontend');
  // The solution is the first import of @sentry/react: the spans are looked for in a page loaded
  // after Vite has bundled it (a page loading at that very moment can be left on the old bundle).
  await viteBundled('@sentry/react');
  // The spans, as the lesson says: one `pageload` trace holds the browser's and the backend's spans,
  // with one product load in it. The newest page load is the preview's reload once its spans are
  // in; until then it may be another (the Check's simulated visit, or a page Vite reloaded), so a
  // trace without them yet sends the learner back to the list to look again.
  await reloadPreview(page);
  await tracesList();
  const pageLoads = traceRows().filter({ has: page.locator('td:first-child', { hasText: /^pageload/ }) });
  const waterfall = page.getByRole('list', { name: 'Spans of the trace, as a waterfall' });
  const newestPageLoad = async () => {
    if (!(await pageLoads.count())) return 'no pageload trace yet';
    await pageLoads.first().getByRole('button').click();
    // The backend's one `GET /products` is what catches a page that asks twice (React's
    // StrictMode doubles effects); the browser's side of it is its fetch.
    const backend = await waterfall.locator('li[data-service="backend"]').filter({ hasText: 'GET /products' }).count();
    const frontend = await waterfall.locator('li[data-service="frontend"]').filter({ hasText: 'GET /api/products' }).count();
    if (backend === 1 && frontend > 0) return 'one trace, both sides';
    await page.getByRole('button', { name: '← All traces' }).click();
    return `backend GET /products ×${backend}, frontend GET /api/products ×${frontend}`;
  };
  await expect.poll(newestPageLoad, { timeout: 60_000, interval: 1000 }).toBe('one trace, both sides');
  await page.screenshot({ path: artifactPath('walkthrough-03-pageload-trace.png') });

  await nextLesson('04-measure-what-matters');
  await writeSolution('04-measure-what-matters');
  await checkPasses('04-measure-what-matters');
  // The learner orders in the preview, then finds their checkout the way the lesson says: the
  // trace lesson 3 left open stayed with lesson 3, and a search finds the span.
  await tracesList();
  await page.getByRole('tab', { name: 'Preview' }).click();
  const shop = previewFrame(page);
  await shop.getByRole('button', { name: 'Add Trail Mug to cart' }).click();
  await shop.getByRole('button', { name: 'Add Span Tee to cart' }).click();
  await shop.getByRole('button', { name: 'Add Span Tee to cart' }).click();
  await shop.getByLabel('Name').fill('Ada');
  await shop.getByLabel('Email').fill('ada@example.com');
  await shop.getByRole('button', { name: 'Place order' }).click();
  await shop.getByRole('status').filter({ hasText: 'Thank you!' }).waitFor({ timeout: 30_000 });
  await telemetryView(page, 'Traces');
  await page.getByLabel('Search spans and issues').fill('Submit Checkout Form');
  await expect.poll(() => traceRows().first().innerText(), { timeout: 30_000 }).toContain('Found: Submit Checkout Form');
  await page.screenshot({ path: artifactPath('walkthrough-04-trace-search.png') });
  // The newest is the learner's own visit once its spans are in (until then, the Check's visits
  // are): its page load, with the order in it, the found span selected, and its attribute the
  // cart's size. A page visit's trace holds every order placed in it: one of them carries 3.
  const found = page.locator('.waterfall-rows li[data-found]');
  const itemsInNewestFound = async () => {
    expect(await traceRows().first().locator('td').first().innerText()).toMatch(/^pageload /);
    await traceRows().first().getByRole('button').click();
    await expect.poll(() => found.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await found.first().getByRole('button').getAttribute('aria-pressed')).toBe('true');
    const items: string[] = [];
    for (const [index, span] of (await found.all()).entries()) {
      if (index > 0) await span.getByRole('button').click(); // the first is selected already
      items.push(await page.getByRole('region', { name: 'Span details' }).locator('[data-attribute="items_at_checkout"] dd').innerText());
    }
    if (!items.includes('3')) await page.getByRole('button', { name: '← All traces' }).click();
    return items;
  };
  await expect.poll(itemsInNewestFound, { timeout: 60_000, interval: 1000 }).toContain('3');
  await page.screenshot({ path: artifactPath('walkthrough-04-checkout-trace.png') });

  await nextLesson('05-a-dashboard-for-the-checkout');
  await tracesList();
  await startShoppers(page, '30'); // as lesson 5 suggests
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
  // Lesson 7's full trace stayed with lesson 7.
  await tracesList();
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

  // The epilogue: the learner's own Sentry (its host never resolves here: the Check judges the
  // forwarding with a local stand-in of Sentry's ingest, not Sentry).
  await nextLesson('10-take-it-to-your-sentry');
  await page.getByRole('tab', { name: 'Telemetry' }).click();
  await page.locator('details.forward-to-sentry summary').click();
  await page.getByLabel(/DSN of your Sentry project/).fill((await lessonSandbox('10-take-it-to-your-sentry')).solutionSettings.sentryDsn!);
  await page.getByRole('button', { name: 'Forward', exact: true }).click();
  await expect.poll(() => page.locator('details.forward-to-sentry summary').innerText()).toMatch(/^Your own Sentry/);
  await checkPasses('10-take-it-to-your-sentry');
  await page.screenshot({ path: artifactPath('walkthrough-10.png') });
  // One boot for the whole course: every lesson after the first changed files only.
  expect(await page.locator('.ws').getAttribute('data-boot-id')).toBe(booted);

  await page.getByRole('link', { name: 'All lessons', exact: true }).click();
  for (const lesson of lessonIds()) {
    expect(await page.locator(`li[data-lesson-id="${lesson}"]`).getAttribute('data-complete'), lesson).toBe('true');
  }
  expect(await page.locator('.hero [data-progress-count]').innerText()).toBe('10 of 10 lessons complete');
  expect(await page.locator('a[data-continue]').innerText()).toBe('All 10 lessons complete: review lesson 1');
  expect(guard.problems().join('\n'), 'console errors and uncaught errors').toBe('');
  expect(marks, 'what the editor marked on the way (tsc finds nothing in any lesson, at its start or solved)').toEqual([]);
});
