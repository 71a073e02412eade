import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { artifactPath } from '../support/artifacts.ts';

let site: RunningSite;
let browser: Browser;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

describe('the course site', () => {
  test('the home page lists the lessons, links to lesson 1 and shows progress', async () => {
    const page = await site.newPage(browser, { viewport: { width: 1280, height: 900 } });
    const response = await page.goto(site.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');

    await expect.poll(() => page.locator('h1').textContent()).toContain('Debug a real checkout');
    const lessons = page.locator('.lesson-list li');
    expect(await lessons.count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => lessons.first().textContent()).toContain('Meet the storefront');
    // Said twice: beside the call to action, and above the list.
    await expect
      .poll(() => page.locator('[data-progress-count]').allTextContents())
      .toEqual([expect.stringMatching(/^0 of \d+ lessons complete$/), expect.stringMatching(/^0 of \d+ lessons complete$/)]);
    await page.screenshot({ path: artifactPath('home-light.png'), fullPage: true });

    // A lesson completed in an earlier visit shows as done.
    await page.evaluate(() => localStorage.setItem('ctl:progress', JSON.stringify({ '01-meet-the-storefront': { completedAt: new Date().toISOString() } })));
    await page.reload();
    await expect.poll(() => lessons.first().getAttribute('data-complete')).toBe('true');
    await expect.poll(() => page.locator('[data-progress-count]').first().textContent()).toMatch(/^1 of \d+ lessons complete$/);

    // It goes on where the learner is: the first lesson not complete.
    await page.getByRole('link', { name: /^Continue with lesson 2/ }).click();
    await page.waitForURL(/\/lessons\/02-trace-the-backend\/$/);
    await page.close();
  });

  test('lesson 1 is readable and styled before any script runs', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    await site.authenticate(context);
    const page = await context.newPage();
    await page.goto(`${site.url}/lessons/01-meet-the-storefront/`);
    expect(await page.locator('article h1').textContent()).toBe('Meet the storefront');
    expect(await page.locator('article').textContent()).toContain('Follow one request');
    // The stylesheet applied: the prose and the workspace sit side by side on a wide screen.
    const [prose, workspace] = await Promise.all([page.locator('article.prose').boundingBox(), page.locator('aside.workspace').boundingBox()]);
    expect(prose && workspace && workspace.x >= prose.x + prose.width - 1).toBe(true);
    await page.screenshot({ path: artifactPath('lesson-01-no-js.png') });
    await context.close();
  });

  test("nothing but the lesson's own HTML stands before its first paint: no stylesheet to fetch, no script that blocks", async () => {
    const html = await (await site.fetch('/lessons/01-meet-the-storefront/')).text();
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head.match(/<link rel="stylesheet"[^>]*>/g) ?? []).toEqual([]);
    expect(head.match(/<script(?![^>]*type="module")(?![^>]*is:inline)[^>]*src=[^>]*>/g) ?? []).toEqual([]);
    // The editor and the terminal bring their stylesheets when they load.
    expect(html).not.toMatch(/editor\.main[^"]*\.css|xterm[^"]*\.css/);
  });

  test('the theme toggle switches to dark, is labelled, and the choice survives a reload', async () => {
    const page = await site.newPage(browser, { viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    await page.goto(`${site.url}/lessons/01-meet-the-storefront/`);
    const toggle = page.getByRole('button', { name: 'Switch to dark theme' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(251, 250, 248)');
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => page.getByRole('button', { name: 'Switch to light theme' }).count()).toBe(1);
    await page.screenshot({ path: artifactPath('lesson-01-dark.png') });
    await page.close();
  });

  test('a narrow screen still reads the lesson', async () => {
    const page = await site.newPage(browser, { viewport: { width: 390, height: 844 } });
    await page.goto(`${site.url}/lessons/01-meet-the-storefront/`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: artifactPath('lesson-01-narrow.png') });
    await page.close();
  });

  test('an unknown page answers 404', async () => {
    const page = await site.newPage(browser);
    const response = await page.goto(`${site.url}/no-such-lesson/`);
    expect(response?.status()).toBe(404);
    await page.close();
  });
});
