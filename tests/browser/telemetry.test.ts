import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { lessonFile } from '../support/lesson-sandbox.ts';
import { shipTheBug } from '../support/monitoring-page.ts';
import { artifactPath } from '../support/artifacts.ts';
import { previewFrame, waitForBoot } from '../support/workspace-page.ts';
import { BACKEND_URL } from '../../src/sandbox/shop.ts';
import { startIngestStandIn } from '../support/ingest-stand-in.ts';

const LESSON_ID = '01-meet-the-storefront';
// The backend and the frontend traced, as lessons 2 and 3 teach.
const instrumented = Object.fromEntries(
  await Promise.all(
    [
      ['02-trace-the-backend', 'backend/src/instrument.ts'],
      ['02-trace-the-backend', 'backend/src/app.ts'],
      ['03-trace-the-frontend', 'frontend/src/instrument.ts'],
      ['03-trace-the-frontend', 'frontend/src/main.tsx'],
      ['03-trace-the-frontend', 'frontend/src/App.tsx'],
    ].map(async ([lesson, path]) => [path, await lessonFile(lesson!, 'solution', path!)]),
  ),
);

let site: RunningSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
  page.on('dialog', (dialog) => void dialog.accept());
  // The learner's saved work: the backend and frontend instrumented as lessons 2 and 3 teach.
  await page.goto(`${site.url}/`);
  await page.evaluate(([key, edits]) => localStorage.setItem(key, edits), [`ctl:edits:${LESSON_ID}`, JSON.stringify(instrumented)] as const);
  await page.goto(`${site.url}/lessons/${LESSON_ID}/?runtime=local`);
  await waitForBoot(page);
  await page.getByRole('tab', { name: 'Telemetry' }).click();
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

async function reloadPreview() {
  await page.getByRole('tab', { name: 'Preview' }).click();
  await page.getByRole('button', { name: 'Reload preview' }).click();
}

/** Index of a browser fetch to /api/products directly followed by its backend server span, or -1. */
async function fetchThenServer(): Promise<number> {
  const texts = await page.locator('.waterfall-rows li').allInnerTexts();
  return texts.findIndex((text, i) => /http\.client\s*GET \/api\/products/.test(text) && /http\.server\s*GET \/products/.test(texts[i + 1] ?? ''));
}

const waterfallRow = (service: string, label: RegExp) => page.locator(`.waterfall-rows li[data-service="${service}"]`).filter({ hasText: label });

describe('live telemetry from the real SDKs in the sandbox', () => {
  test("the browser's fetch to /api/products is the parent of the backend's GET /products span, in one waterfall", async () => {
    const requested = Date.now();
    await reloadPreview();
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    const traces = page.locator('.telemetry-table tbody tr');
    await expect.poll(() => traces.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    console.log(`request → first trace on screen: ${Date.now() - requested} ms`);
    // The page load's trace holds the fetch: search for it as a learner would, by attribute.
    await page.getByRole('searchbox', { name: 'Search spans and issues' }).fill('url.full:*/api/products');
    await expect
      .poll(() => traces.filter({ hasText: 'backend' }).filter({ hasText: 'frontend' }).count(), { timeout: 20_000 })
      .toBeGreaterThan(0)
      .catch(async (error) => {
        console.log('DEBUG traces:', await traces.allInnerTexts());
        throw error;
      });
    await traces.filter({ hasText: 'backend' }).filter({ hasText: 'frontend' }).first().getByRole('button').click();

    const fetchRow = waterfallRow('frontend', /http\.client\s*GET \/api\/products/).first();
    // Spans stream in batches; the open waterfall fills in as they arrive.
    await expect.poll(() => fetchRow.count(), { timeout: 15_000 }).toBe(1);
    const serverRow = waterfallRow('backend', /http\.server\s*GET \/products/).first();
    await expect.poll(() => serverRow.count(), { timeout: 15_000 }).toBe(1);
    // In the tree the server span sits right under the fetch, one level deeper.
    const rows = page.locator('.waterfall-rows li');
    await expect.poll(() => fetchThenServer(), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
    const fetchIndex = await fetchThenServer();
    const indent = async (index: number) =>
      parseFloat((await rows.nth(index).locator('.waterfall-label').getAttribute('style'))!.replace(/[^\d.]/g, '') || '0');
    expect(await indent(fetchIndex + 1)).toBeGreaterThan(await indent(fetchIndex));

    await page.getByRole('searchbox', { name: 'Search spans and issues' }).fill('');
    await serverRow.getByRole('button').click();
    await expect.poll(() => page.getByRole('region', { name: 'Span details' }).innerText()).toMatch(/http\.server/);
    await page.screenshot({ path: artifactPath('telemetry-waterfall.png') });
  });

  test('a backend TypeError in GET /products and the frontend error it causes show up as issues, joined by one trace', async () => {
    // Cleared first: the backend SDK's Dedupe sends the TypeError once, for the first failing request.
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await page.getByRole('button', { name: 'Clear' }).click();
    await shipTheBug(page);
    // tsx restarts the backend: once it answers again, the reloaded page asks it for in-stock products.
    await page.waitForTimeout(1500);
    await expect.poll(async () => (await fetch(`${BACKEND_URL}/health`).catch(() => null))?.ok ?? false, { timeout: 30_000, interval: 250 }).toBe(true);
    await reloadPreview();
    await expect
      .poll(
        () =>
          previewFrame(page)
            .locator('[role="alert"]')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000 },
      )
      .toContain('Something went wrong on our side');
    await page.getByRole('tab', { name: 'Telemetry' }).click();

    await page.getByRole('tab', { name: /^Issues/ }).click();
    const backendIssue = page.locator('.issue-row').filter({ hasText: "TypeError: Cannot read properties of null (reading 'includes')" });
    const frontendIssue = page.locator('.issue-row').filter({ hasText: 'ApiError: Something went wrong on our side.' });
    await expect.poll(() => backendIssue.count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => frontendIssue.count(), { timeout: 20_000 }).toBe(1);
    expect(await backendIssue.innerText()).toMatch(/backend · backend\/src\/inventory\.ts in listProducts/);
    expect(await frontendIssue.innerText()).toMatch(/frontend · frontend\/src\/api\.ts in request/);
    await page.screenshot({ path: artifactPath('telemetry-issues.png') });

    // From the frontend error, the full trace reaches the backend error.
    await frontendIssue.click();
    await page.getByRole('button', { name: 'View full trace' }).click();
    const failedServerSpan = page.locator('.waterfall-rows li[data-service="backend"][data-error]').filter({ hasText: 'GET /products' });
    await expect.poll(() => failedServerSpan.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // The backend's error event joins its span, in the backend issue's own trace: the issue shows
    // its newest event, and the frontend's may be a later failing request, whose TypeError the
    // backend SDK's Dedupe did not send again. On a busy machine the event comes in later.
    await page.getByRole('tab', { name: /^Issues/ }).click();
    await backendIssue.click();
    await page.getByRole('button', { name: 'View full trace' }).click();
    await expect.poll(() => page.locator('.waterfall-rows li[data-service="backend"]').filter({ hasText: '1 error' }).count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('telemetry-full-trace.png') });

    // The backend error's in-app frame shows the line, and opens the inventory file there.
    await page.getByRole('tab', { name: /^Issues/ }).click();
    await backendIssue.click();
    const frame = page.locator('.frame[data-in-app="true"]').first();
    expect(await frame.locator('.context-line').innerText()).toContain('productInventory!.includes(product.id)');
    const link = frame.getByRole('button', { name: /backend\/src\/inventory\.ts:\d+/ });
    const line = Number(/:(\d+)$/.exec(await link.innerText())![1]);
    await link.click();
    await expect.poll(() => page.locator('.tab[data-active="true"]').first().innerText()).toContain('inventory.ts');
    await expect.poll(() => page.locator('.monaco-editor .line-numbers.active-line-number').innerText()).toBe(String(line));
  });

  test("with traceLifecycle: 'static' the browser SDK sends transactions, and the waterfall is the same", async () => {
    const staticMode = instrumented['frontend/src/instrument.ts'].replace('tracesSampleRate: 1.0,', "tracesSampleRate: 1.0,\n  traceLifecycle: 'static',");
    expect(staticMode).toContain("traceLifecycle: 'static'");
    await page.evaluate(([key, edits]) => localStorage.setItem(key, edits), [
      `ctl:edits:${LESSON_ID}`,
      JSON.stringify({ ...instrumented, 'frontend/src/instrument.ts': staticMode }),
    ] as const);
    await page.reload();
    await waitForBoot(page);
    await reloadPreview();
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    const traces = page.locator('.telemetry-table tbody tr');
    await expect.poll(() => traces.filter({ hasText: 'backend' }).filter({ hasText: 'frontend' }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await traces.filter({ hasText: 'backend' }).filter({ hasText: 'frontend' }).first().getByRole('button').click();
    // The backend's spans and the browser's transaction arrive separately; the waterfall joins them.
    await expect.poll(() => fetchThenServer(), { timeout: 15_000 }).toBeGreaterThanOrEqual(0);
  });
});

describe("forwarding to the learner's own Sentry (a local stand-in of its ingest, not Sentry)", () => {
  test('a malformed DSN says what is wrong; a refused key says so; a good one forwards what the shop sends, its DSN rewritten', {
    timeout: 120_000,
  }, async () => {
    const ingest = await startIngestStandIn([{ status: 401 }]);
    const dsn = ingest.dsn;
    try {
      const panel = page.locator('details.forward-to-sentry');
      await panel.locator('summary').click();
      const field = page.getByLabel(/DSN of your Sentry project/);
      const status = page.getByTestId('forward-status');
      await field.fill('https://o42.ingest.sentry.io/4507');
      await page.getByRole('button', { name: 'Forward', exact: true }).click();
      await expect.poll(() => status.innerText(), { timeout: 15_000 }).toMatch(/Not forwarding: this DSN has no public key/);

      await field.fill(dsn);
      await page.getByRole('button', { name: 'Forward', exact: true }).click();
      // The shop sends: a request to the traced backend.
      await expect
        .poll(
          async () => {
            await fetch(`${BACKEND_URL}/products`).catch(() => undefined);
            return status.innerText();
          },
          { timeout: 30_000, interval: 1000 },
        )
        .toMatch(/Last problem \([^)]+\): Sentry refused the DSN's key \(401\)/);
      await expect.poll(() => status.innerText(), { timeout: 30_000 }).toMatch(/^[1-9]\d* envelopes? forwarded/);
      expect(ingest.forwarded[0]!.auth).toMatch(/sentry_key=learnerkey/);
      expect(ingest.forwarded.every(({ envelope }) => envelope[0].dsn === undefined || envelope[0].dsn === dsn)).toBe(true);
      await page.screenshot({ path: artifactPath('forward-to-sentry.png') });

      // Stopped: the collector forwards nothing more.
      await page.getByRole('button', { name: 'Stop forwarding' }).click();
      await expect.poll(() => page.locator('details.forward-to-sentry').getAttribute('data-forwarding')).toBe('off');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const before = ingest.forwarded.length;
      await fetch(`${BACKEND_URL}/products`);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(ingest.forwarded.length).toBe(before);
    } finally {
      await ingest.close();
    }
  });
});
