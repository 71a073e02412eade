/**
 * One workspace for the whole course: moving between lessons keeps the page, the sandbox, its
 * running shop and the terminal, and writes only the files that differ. On the local runtime, in
 * real Chromium, against the course's real server.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { lessonFile } from '../support/lesson-sandbox.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { lessonReady, lessonShown as lessonShownIn, openFile, replaceInEditor, waitForBoot } from '../support/workspace-page.ts';
import { BACKEND_URL } from '../../src/sandbox/shop.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

const sandboxesRoot = mkdtempSync(join(scratchDir(), 'ctl-course-session-'));
let site: RunningSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite({ CTL_SANDBOXES_DIR: sandboxesRoot, CTL_RELOAD_GRACE_MS: '10000' }), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

const sandboxFolders = () => readdirSync(sandboxesRoot).filter((name) => name.startsWith('ctl-sandbox-'));
const sandboxFile = (path: string) => readFileSync(join(sandboxesRoot, sandboxFolders()[0]!, path), 'utf8');

/** The pid of the sandbox's Vite dev server (scripts/frontend.mjs). */
function vitePid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readlinkSync(`/proc/${entry}/cwd`).startsWith(sandboxesRoot)) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('scripts/frontend.mjs')) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const lessonShown = (id: string) => lessonShownIn(page, id);
/** Asked from here, not from the page, so the shop's telemetry stays as the learner made it. */
const inStockStatus = async () => (await fetch(`${BACKEND_URL}/products?in_stock_only=true`).catch(() => null))?.status ?? 0;

describe('one workspace for the whole course', () => {
  test('the next lesson keeps the page, the sandbox, its processes and the terminal; only its changes are written', async () => {
    await page.goto(`${site.url}/lessons/05-a-dashboard-for-the-checkout/?runtime=local`);
    await waitForBoot(page);
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const [folder] = sandboxFolders();
    const vite = vitePid();
    expect(vite).toBeDefined();
    expect(await inStockStatus()).toBe(200);

    // Any boot step the workspace passes through from here on (a reboot, a reinstall) is recorded.
    await page.evaluate(() => {
      const ws = document.querySelector('.ws')!;
      const steps: string[] = [];
      (window as unknown as { bootSteps: string[] }).bootSteps = steps;
      new MutationObserver(() => steps.push(ws.getAttribute('data-boot-step')!)).observe(ws, { attributeFilter: ['data-boot-step'] });
    });
    const started = Date.now();
    await page.getByRole('link', { name: /Next/ }).click();
    await lessonReady(page, '06-something-broke');
    console.log(`lesson 5 → 6 (ships a backend change): shop ready again after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(page.url()).toContain('/lessons/06-something-broke/');
    expect(await page.locator('h1').first().textContent()).toMatch(/Something broke/);
    expect(sandboxFolders()).toEqual([folder]);
    expect(vitePid()).toBe(vite);
    // Lesson 6 ships the in-stock filter with its bug: the running backend picked it up.
    expect(sandboxFile('backend/src/inventory.ts')).toBe(await lessonFile('06-something-broke', 'start', 'backend/src/inventory.ts'));
    await expect.poll(inStockStatus, { timeout: 30_000 }).toBe(500);
    expect(await page.evaluate(() => (window as unknown as { bootSteps: string[] }).bootSteps.filter((step) => step !== 'ready'))).toEqual([]);
  });

  test("back and forward show each lesson's files in the same sandbox, with the learner's edits", async () => {
    await openFile(page, 'frontend/src/App.tsx');
    await replaceInEditor(page, 'Gear for people who read traces', 'Gear for people who fix checkouts');
    await expect.poll(() => sandboxFile('frontend/src/App.tsx'), { timeout: 10_000 }).toContain('fix checkouts');

    await page.goBack();
    await lessonShown('05-a-dashboard-for-the-checkout');
    await expect.poll(() => sandboxFile('frontend/src/App.tsx')).not.toContain('fix checkouts');
    const shipped = await lessonFile('06-something-broke', 'start', 'backend/src/inventory.ts');
    await expect.poll(() => sandboxFile('backend/src/inventory.ts')).not.toBe(shipped);
    await lessonReady(page, '05-a-dashboard-for-the-checkout');
    await expect.poll(inStockStatus, { timeout: 30_000 }).toBe(200);

    await page.goForward();
    await lessonShown('06-something-broke');
    await expect.poll(() => sandboxFile('frontend/src/App.tsx')).toContain('fix checkouts');
    expect(await page.locator('.file-tree [aria-label="edited"]').count()).toBeGreaterThan(0);
    expect(sandboxFolders()).toHaveLength(1);
  });

  test('leaving the site and coming back with Back ends in a working workspace', async () => {
    await page.goto(`${site.url}/404-on-purpose`);
    await page.goBack();
    await lessonShown('06-something-broke');
    await waitForBoot(page);
    expect(await page.locator('.ws').getAttribute('data-runtime')).toBe('local');
    await expect.poll(inStockStatus, { timeout: 30_000 }).toBe(500);
  });

  test("a reload re-attaches to the running shop: the same sandbox and processes, the terminal's recent output, the telemetry, the last Check", async () => {
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.locator('#panel-checks .checks-summary').count(), { timeout: 120_000 }).toBe(1);
    const checked = await page.locator('#panel-checks .checks-summary').innerText();
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await expect.poll(() => page.locator('.telemetry-table tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const [folder] = sandboxFolders();
    const vite = vitePid();

    const started = Date.now();
    await page.reload();
    await lessonReady(page, '06-something-broke');
    console.log(`reload → the shop ready again after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(sandboxFolders()).toEqual([folder]);
    expect(vitePid()).toBe(vite);
    expect(await page.locator('#panel-checks .checks-summary').innerText()).toBe(checked);
    await page.getByRole('tab', { name: 'Telemetry' }).click();
    await expect.poll(() => page.locator('.telemetry-table tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByRole('tab', { name: 'Shop output' }).click();
    // The shop's output comes back (what is replayed, and in which order: tests/runtime/local-runtime.test.ts).
    await expect.poll(() => page.getByTestId('terminal-dev-server-output').innerText(), { timeout: 10_000 }).toContain('[backend]');
  });
});

describe('when the course server goes away', () => {
  test('the workspace says the connection closed and offers to start again; it does not spin, nor call a boot step failed', async () => {
    // The shop's ports are fixed: the first server's sandbox ends after its page (and the moment a reload may take) before this one boots.
    await page.close();
    await expect
      .poll(
        () =>
          fetch(`${BACKEND_URL}/health`).then(
            () => 'up',
            () => 'gone',
          ),
        { timeout: 45_000 },
      )
      .toBe('gone');
    const own = await startSite({ CTL_SANDBOXES_DIR: mkdtempSync(join(scratchDir(), 'ctl-server-gone-')) });
    const lesson = await own.newPage(browser, { viewport: { width: 1440, height: 960 } });
    // Auto, as a learner who never touched the picker: it already runs on this computer.
    await lesson.goto(`${own.url}/lessons/01-meet-the-storefront/`);
    await waitForBoot(lesson);
    expect(await lesson.locator('.ws').getAttribute('data-runtime')).toBe('local');
    own.process.kill('SIGINT');
    await own.stop();
    await expect
      .poll(
        () =>
          lesson
            .locator('.boot-error')
            .innerText()
            .catch(() => ''),
        { timeout: 15_000 },
      )
      .toMatch(/connection to the local runtime closed/);
    expect(await lesson.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    expect(await lesson.locator('.ws').getAttribute('data-shop')).toBe('stopped');
    // Every boot step had finished: none is shown as failed (nor the rest as done), and the
    // runtime it already ran on is not offered as the way out.
    expect(await lesson.locator('.boot-status').innerText()).toContain('The shop was running, then its sandbox stopped.');
    expect(await lesson.locator('.boot-status li').filter({ visible: true }).count()).toBe(0);
    expect(await lesson.getByRole('button', { name: 'Run on this computer instead' }).count()).toBe(0);
    await lesson.close();
  });
});
