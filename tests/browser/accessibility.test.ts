/**
 * Every page and every state of the workspace a learner meets, audited with axe-core in real
 * Chromium, in the light and the dark theme: no serious or critical violation. And the keyboard:
 * every control reachable with a visible focus, no trap in the editor, the shortcuts a learner
 * expects, and a narrow screen that shows one thing at a time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { artifactPath } from '../support/artifacts.ts';
import { lessonIds } from '../../src/lessons/sandbox-files.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { openFile, waitForBoot } from '../support/workspace-page.ts';

let site: RunningSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

type Theme = 'light' | 'dark';

/**
 * axe-core itself, evaluated once per document. @axe-core/playwright evaluates it again for every
 * audit and opens a blank page to gather each result: 1.8–2.4 CPU-s an audit against 0.35, for the
 * same rules on the same tree (measured on a lesson page; this file went from 141 to 79 CPU-s).
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** What a theme changes: colours. Text, names, roles and structure are the same in both. */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];
const EVERY_RULE = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/** The serious and critical violations axe finds on the page, one line each. */
async function violations(page: Page, only: 'every rule' | 'colour rules' = 'every rule'): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const runOnly = only === 'colour rules' ? { type: 'rule', values: COLOUR_RULES } : { type: 'tag', values: EVERY_RULE };
  // The shop in the preview is the learner's app, not the course's UI (see the closing note). Any
  // other frame is audited too, and one without axe fails the audit (axe waits for it, then throws).
  const found = await page.evaluate(
    (runOnly) =>
      (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<AxeResults> } }).axe
        .run({ exclude: [['iframe[title="Shop preview"]']] }, { runOnly, resultTypes: ['violations'] })
        .then(({ violations }) => violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.map((node) => node.target.join(' ')) }))),
    runOnly,
  );
  return found
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id}: ${violation.help} — ${violation.targets.slice(0, 3).join(', ')}`);
}

async function contextIn(theme: Theme, width = 1440): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: theme });
  await site.authenticate(context);
  await context.addInitScript((value) => localStorage.setItem('ctl:theme', value), theme);
  return context;
}

/** A fresh page in `theme`; its context (and so its sandbox) is closed whatever happens. */
async function inPage(theme: Theme, use: (page: Page) => Promise<void>, width?: number): Promise<void> {
  const context = await contextIn(theme, width);
  try {
    await use(await context.newPage());
  } finally {
    await context.close();
  }
}

/**
 * Audits the page as it is, then switches the theme with the top bar's button (as a learner does)
 * and audits its colours again: both themes from one page load, and one booted workspace.
 */
async function auditBothThemes(page: Page, state: string, found: string[]) {
  const toggle = page.locator('[data-theme-toggle]');
  for (const theme of ['light', 'dark'] as const) {
    if (theme === 'dark') {
      await toggle.click();
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
      await page.waitForTimeout(150); // the editor and the terminal repaint on the theme event
    }
    found.push(...(await violations(page, theme === 'light' ? 'every rule' : 'colour rules')).map((line) => `${state} (${theme}): ${line}`));
  }
  await toggle.click();
  await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
}

describe('axe audit, light and dark theme', () => {
  test('the home page and every lesson page', { timeout: 180_000 }, () =>
    inPage('light', async (page) => {
      // The lesson pages are audited as they read (the workspace is audited below, booted).
      await page.route('**/sandbox/packages.json', (route) => route.abort());
      const found: string[] = [];
      // The home page of a learner on their way: lessons done, the one up next, "Continue".
      await page.goto(`${site.url}/`);
      await page.evaluate(() => {
        localStorage.setItem('ctl:progress', JSON.stringify({ '01-meet-the-storefront': { completedAt: new Date().toISOString() } }));
        localStorage.setItem('ctl:last-lesson', '02-trace-the-backend');
      });
      await page.reload();
      await page.getByRole('link', { name: /^Continue with lesson 2/ }).waitFor();
      await auditBothThemes(page, '/ (on the way)', found);
      await page.evaluate(() => {
        localStorage.removeItem('ctl:progress');
        localStorage.removeItem('ctl:last-lesson');
      });
      await page.goto(`${site.url}/?runtime=local`);
      await page.locator('h1').first().waitFor();
      await auditBothThemes(page, '/', found);
      // Lesson to lesson by the Next link, as a learner goes: each page as the router swaps it in.
      for (const [index, id] of lessonIds().entries()) {
        const path = `/lessons/${id}/`;
        if (index === 0) await page.goto(`${site.url}${path}?runtime=local`);
        else await page.locator('a[rel="next"]').click();
        await page.waitForURL((url) => url.pathname === path);
        await expect.poll(() => page.locator('.ws').getAttribute('data-lesson')).toBe(id);
        await auditBothThemes(page, path, found);
      }
      expect(found).toEqual([]);
    }),
  );

  test('the workspace with each panel open, and the solution dialog', { timeout: 300_000 }, () =>
    inPage('light', async (page) => {
      await page.goto(`${site.url}/lessons/02-trace-the-backend/?runtime=local`);
      await waitForBoot(page);
      await openFile(page, 'backend/src/instrument.ts');
      const found: string[] = [];
      for (const panel of ['Preview', 'Terminal', 'Shop output', 'Checks']) {
        await page.getByRole('tab', { name: panel, exact: true }).click();
        await page.waitForTimeout(300);
        await auditBothThemes(page, panel, found);
      }
      await page.getByRole('tab', { name: 'Telemetry', exact: true }).click();
      for (const view of await page.getByRole('tablist', { name: 'Telemetry views' }).getByRole('tab').all()) {
        await view.click();
        await page.waitForTimeout(300);
        await auditBothThemes(page, `Telemetry › ${await view.innerText()}`, found);
      }
      // The dialog is modal (the theme button behind it is out of reach): opened once in each theme.
      for (const theme of ['light', 'dark'] as const) {
        if (theme === 'dark') await page.locator('[data-theme-toggle]').click();
        await page.getByRole('button', { name: 'Show solution' }).click();
        const dialog = page.getByRole('dialog', { name: 'The solution' });
        await dialog.waitFor();
        found.push(...(await violations(page)).map((line) => `solution dialog (${theme}): ${line}`));
        await page.screenshot({ path: artifactPath(`solution-dialog-${theme}.png`) });
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
      }
      // Applied, then Reset: the notice of what Reset replaced, and "Restore my code".
      await page.locator('[data-theme-toggle]').click(); // back to light
      await page.getByRole('button', { name: 'Show solution' }).click();
      await page.getByRole('button', { name: 'Apply the solution' }).click();
      await page.getByRole('button', { name: 'Reset' }).click();
      await page.locator('[data-replaced="reset"]').waitFor();
      await auditBothThemes(page, 'after Reset', found);
      expect(found).toEqual([]);
    }),
  );
});

describe('the keyboard', () => {
  let context: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    context = await contextIn('light');
    page = await context.newPage();
    await page.goto(`${site.url}/lessons/02-trace-the-backend/?runtime=local`);
    await waitForBoot(page);
  }, 300_000);
  afterAll(() => context?.close());

  test('Tab reaches every control of the workspace, and each shows where the focus is', async () => {
    // From the last link of the lesson into the workspace (the prose before it is links and code).
    await page.locator('.lesson-nav a').last().focus();
    const seen: string[] = [];
    const unmarked: string[] = [];
    // In the editor Tab indents; Escape is the way on (tested below).
    let key = 'Tab';
    for (let step = 0; step < 80; step++) {
      await page.keyboard.press(key);
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element || element === document.body) return null;
        const style = getComputedStyle(element);
        const marked = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? true : style.boxShadow !== 'none';
        const name = element.getAttribute('aria-label') ?? element.textContent?.trim().slice(0, 40) ?? element.tagName;
        return {
          name: `${element.tagName.toLowerCase()} "${name}"`,
          marked,
          inEditor: Boolean(element.closest('.monaco-editor')),
          inFrame: element.tagName === 'IFRAME',
        };
      });
      key = focused?.inEditor ? 'Escape' : 'Tab';
      if (!focused || focused.inEditor || focused.inFrame) continue;
      seen.push(focused.name);
      if (!focused.marked) unmarked.push(focused.name);
    }
    // (Reset is disabled until something is edited, and so out of the tab order.)
    for (const control of [
      'Resize the lesson and the workspace',
      'Sandbox runtime',
      'Show solution',
      'Check',
      'Resize the editor and the panels',
      'Reload preview',
    ]) {
      expect(
        seen.some((name) => name.includes(control)),
        `${control} is reachable with Tab (reached: ${seen.join(', ')})`,
      ).toBe(true);
    }
    expect(unmarked).toEqual([]);
  });

  test('Escape leaves the editor forward (no keyboard trap); Tab inside it still indents', async () => {
    await openFile(page, 'backend/src/instrument.ts');
    await page
      .locator('.monaco-editor')
      .first()
      .click({ position: { x: 120, y: 24 } });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest('.monaco-editor')))).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Resize the editor and the panels');
  });

  test('Ctrl+Enter runs the checks, from the editor or anywhere on the page', async () => {
    await page
      .locator('.monaco-editor')
      .first()
      .click({ position: { x: 120, y: 24 } });
    await page.keyboard.press('Control+Enter');
    const checks = page.locator('#panel-checks');
    await expect.poll(() => checks.locator('.checks-summary').count(), { timeout: 60_000 }).toBe(1);
    expect(await page.locator('#panel-checks').isVisible()).toBe(true);
    expect(await checks.getAttribute('role')).toBe('tabpanel');
    expect(await checks.locator('[role="status"]').count()).toBeGreaterThan(0);

    await page.getByRole('tab', { name: 'Preview', exact: true }).focus();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('#panel-checks').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => checks.locator('.checks-summary').count(), { timeout: 60_000 }).toBe(1);
  });

  test("Ctrl+S saves at once and never opens the browser's save dialog", async () => {
    await page.evaluate(() => {
      (window as unknown as { saveKeys: boolean[] }).saveKeys = [];
      window.addEventListener('keydown', (event) => event.key === 's' && (window as unknown as { saveKeys: boolean[] }).saveKeys.push(event.defaultPrevented));
    });
    await page.getByRole('tab', { name: 'Preview', exact: true }).focus();
    await page.keyboard.press('Control+s');
    expect(await page.evaluate(() => (window as unknown as { saveKeys: boolean[] }).saveKeys)).toEqual([true]);
  });

  test('boot progress and check results are announced (live regions)', async () => {
    expect(await page.locator('#panel-checks [role="status"][aria-live="polite"], #panel-checks [role="status"]').count()).toBeGreaterThan(0);
    const reboot = await context.newPage();
    await reboot.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
    await reboot.locator('.boot-status[role="status"][aria-live="polite"]').waitFor({ timeout: 30_000 });
    await reboot.close();
  });
});

describe('a narrow screen', () => {
  test('shows the lesson, the code or one panel, one at a time, through one row of tabs', { timeout: 300_000 }, () =>
    inPage(
      'light',
      async (page) => {
        await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
        const tabs = page.getByRole('tablist', { name: 'Show' });
        expect(await tabs.isVisible()).toBe(true);
        expect(await page.locator('article.prose').isVisible()).toBe(true);
        expect(await page.locator('aside.workspace').isVisible()).toBe(false);
        await page.screenshot({ path: artifactPath('narrow-lesson.png') });

        await tabs.getByRole('tab', { name: 'Preview' }).click();
        expect(await page.locator('article.prose').isVisible()).toBe(false);
        await waitForBoot(page);
        expect(await page.locator('#panel-preview').isVisible()).toBe(true);
        expect(await page.locator('.ws-editor').isVisible()).toBe(false);
        await page.screenshot({ path: artifactPath('narrow-preview.png') });

        await tabs.getByRole('tab', { name: 'Code' }).click();
        await page.locator('.monaco-editor').first().waitFor();
        expect(await page.locator('.ws-panels').isVisible()).toBe(false);
        await page.screenshot({ path: artifactPath('narrow-code.png') });

        // Arrow keys move between the tabs: Preview, Terminal, Shop output, Telemetry.
        await tabs.getByRole('tab', { name: 'Code' }).focus();
        for (let step = 0; step < 4; step++) await page.keyboard.press('ArrowRight');
        expect(await tabs.getByRole('tab', { name: 'Telemetry' }).getAttribute('aria-selected')).toBe('true');
        await expect.poll(() => page.locator('#panel-telemetry').isVisible()).toBe(true);
        await page.screenshot({ path: artifactPath('narrow-telemetry.png') });
        expect(await violations(page)).toEqual([]);

        // One row of tabs picks what shows: no panel has a second tab elsewhere on screen.
        for (const name of ['Preview', 'Terminal', 'Shop output', 'Telemetry', 'Checks']) {
          expect(await page.getByRole('tab', { name, exact: true }).filter({ visible: true }).count(), `visible "${name}" tabs`).toBe(1);
        }
        // Check, pressed in the code, brings its results forward, and the tabs follow.
        await tabs.getByRole('tab', { name: 'Code' }).click();
        await page.getByRole('button', { name: 'Check', exact: true }).click();
        await expect.poll(() => tabs.getByRole('tab', { name: 'Checks' }).getAttribute('aria-selected')).toBe('true');
        await expect.poll(() => page.locator('#panel-checks').isVisible()).toBe(true);
        await expect
          .poll(
            () =>
              page
                .locator('#panel-checks .checks-summary')
                .innerText()
                .catch(() => ''),
            { timeout: 90_000 },
          )
          .toMatch(/All checks passed/);
        await page.screenshot({ path: artifactPath('narrow-checks.png') });
      },
      800,
    ),
  );
});
