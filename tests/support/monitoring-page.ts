import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { lessonFile } from './lesson-sandbox.ts';
import { openFile, pasteWholeFile } from './workspace-page.ts';

/** Telemetry → Dashboard / Explore / Alerts, driven the way a learner does. */
export const widget = (page: Page, title: string) => page.getByRole('article', { name: title });

/** The widget's newest value (NaN until it has one). */
export async function widgetLatest(page: Page, title: string): Promise<number> {
  const text = await widget(page, title)
    .getByTestId('widget-latest')
    .textContent({ timeout: 1000 })
    .catch(() => null);
  return text === null || text === '—' ? NaN : Number(text);
}

/** The first rule's status as shown (screen readers also hear "Status: " before it). */
export const alertStatus = async (page: Page) =>
  (await page.getByRole('list', { name: 'Alert rules' }).locator('.status-badge').first().textContent())?.replace(/^Status: /, '');

export async function telemetryView(page: Page, name: 'Traces' | 'Issues' | 'Explore' | 'Dashboard' | 'Alerts') {
  await page.getByRole('tab', { name: 'Telemetry' }).click();
  await page.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
}

export async function startShoppers(page: Page, perMinute: '10' | '30' | '60' | '120') {
  await page.getByRole('tab', { name: 'Telemetry' }).click();
  await page.getByLabel('Shoppers per minute').selectOption(perMinute);
  await page.getByRole('button', { name: 'Start shoppers' }).click();
}

export async function addWidget(page: Page, title: string, query: { search: string; aggregate: string; of?: string; groupBy?: string }) {
  await telemetryView(page, 'Explore');
  await page.getByLabel('Search spans').fill(query.search);
  await page.getByLabel('Search spans').press('Enter');
  await page.getByLabel('Aggregate').selectOption(query.aggregate);
  if (query.of) await page.getByLabel('Of', { exact: true }).fill(query.of);
  await page.getByLabel('Group by').fill(query.groupBy ?? '');
  await page.getByLabel('Widget title').fill(title);
  await page.getByRole('button', { name: 'Add to dashboard' }).click();
  await expect.poll(() => widget(page, title).count()).toBe(1);
}

/** From a dashboard widget: Open in Explore → Create alert → fill the rule → Save alert. */
export async function createAlertFromWidget(page: Page, widgetTitle: string, rule: { name: string; threshold: string; window: string; channel: string }) {
  await telemetryView(page, 'Dashboard');
  await widget(page, widgetTitle).getByRole('button', { name: 'Open in Explore' }).click();
  await page.getByRole('button', { name: 'Create alert' }).click();
  await page.getByLabel('Name').fill(rule.name);
  await page.getByLabel('Threshold').fill(rule.threshold);
  await page.getByLabel('Window').selectOption({ label: rule.window });
  await page.getByLabel('Notify channel').fill(rule.channel);
  await page.getByRole('button', { name: 'Save alert' }).click();
  await expect.poll(() => alertStatus(page), { timeout: 10_000 }).toBe('OK');
}

/** Lesson 6's change ships, typed into the editor: the in-stock filter over an inventory that starts as null. */
export async function shipTheBug(page: Page) {
  for (const path of ['backend/src/inventory.ts', 'frontend/src/api.ts']) {
    await openFile(page, path);
    await pasteWholeFile(page, await lessonFile('06-something-broke', 'start', path));
  }
}

/** Lesson 8's fix ships, typed into the editor. */
export async function shipTheFix(page: Page) {
  await openFile(page, 'backend/src/inventory.ts');
  await pasteWholeFile(page, await lessonFile('08-fix-it', 'solution', 'backend/src/inventory.ts'));
}

/** Waits in Alerts for the first rule to reach `status`, and for its notification in the rule's channel. */
export async function waitForAlert(page: Page, rule: { name: string; channel: string }, status: 'Firing' | 'Resolved') {
  await telemetryView(page, 'Alerts');
  await expect.poll(() => alertStatus(page), { timeout: status === 'Firing' ? 90_000 : 120_000, interval: 1000 }).toBe(status);
  const message = status === 'Firing' ? rule.name : `Resolved: ${rule.name}`;
  await expect.poll(() => page.getByRole('region', { name: `Channel ${rule.channel}` }).innerText()).toContain(message);
}
