/**
 * The shop's ports are fixed, so one tab runs it at a time. A second tab says which tab has it and
 * offers to take it over; it never half-works. In real Chromium, on the real course server.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { artifactPath } from '../support/artifacts.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { lessonReady, waitForBoot } from '../support/workspace-page.ts';

let site: RunningSite;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
  await site.authenticate(context);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

test('a second tab names the tab that runs the shop, at the lesson it is on now, and takes it over with one button', async () => {
  const first = await context.newPage();
  await first.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
  await waitForBoot(first);
  // The first tab moves on: the shop it runs is now lesson 2's, not the one it booted in.
  await first.getByRole('link', { name: /^Next/ }).click();
  await lessonReady(first, '02-trace-the-backend');

  // The second tab is on Auto, as a learner who never touched the picker.
  const second = await context.newPage();
  await second.goto(`${site.url}/lessons/03-trace-the-frontend/`);
  const error = second.locator('.boot-error');
  await expect.poll(() => error.count(), { timeout: 30_000 }).toBe(1);
  expect(await error.innerText()).toMatch(/The shop already runs in another tab of this course \(\u201c2\. Trace the backend/);
  // Auto already tried this computer, which is busy: it is not offered again as the way out.
  expect(await second.getByRole('button', { name: 'Run on this computer instead' }).count()).toBe(0);
  await second.screenshot({ path: artifactPath('second-tab-busy.png') });
  // The first tab's shop is untouched meanwhile.
  expect(await first.locator('.ws').getAttribute('data-boot-step')).toBe('ready');

  await second.getByRole('button', { name: 'Take over the shop here' }).click();
  await waitForBoot(second);
  const lost = first.locator('.boot-error');
  await expect.poll(() => lost.count(), { timeout: 10_000 }).toBe(1);
  expect(await lost.innerText()).toMatch(/Another tab of this course took over the shop/);
  await first.screenshot({ path: artifactPath('second-tab-taken-over.png') });
  // The way back: Try again finds the shop busy in the other tab, and offers to take it back.
  await first.getByRole('button', { name: 'Try again' }).click();
  await expect.poll(() => lost.innerText(), { timeout: 30_000 }).toMatch(/already runs in another tab of this course \(\u201c3\. Trace the frontend/);
  await Promise.all([first.close(), second.close()]);
});
