/**
 * The editor's red squiggles are always true, in Chromium: it checks the sandbox as tsc does with
 * the shop's own tsconfig.json files and the packages' real declarations. A real mistake typed in
 * is marked on its line; lesson 8's hint names the mark TypeScript shows; once the learner changes
 * the shop's packages, the types come from the sandbox's node_modules; the dashboard and alert
 * files of lessons 5 and 9's solutions open with nothing marked. (Every lesson at its start and
 * solved, with nothing marked in any file, is proven by the walkthrough as a learner goes;
 * tests/workspace/sandbox-projects.test.ts checks how the projects are made without a browser.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { artifactPath } from '../support/artifacts.ts';
import { launchChromium } from '../support/chromium.ts';
import { listedProblems, marksInEveryFile, problemsHere, squiggledLines, waitForTypes } from '../support/editor-problems.ts';
import { sandboxFile, startSite, type RunningSite } from '../support/site-server.ts';
import { followLink, lessonReady, openFile, replaceInEditor, terminalText, waitForBoot } from '../support/workspace-page.ts';

let site: RunningSite;
let browser: Browser;
let page: Page;
/** What the editor marks now, each file not yet seen clean opened for its squiggles. */
let markedNow: () => Promise<string[]>;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
  page.on('dialog', (dialog) => void dialog.accept());
  markedNow = marksInEveryFile(page, site.sandboxesDir);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

/**
 * Opens a lesson as it starts, by a link once the page is open (the editor and its TypeScript stay,
 * as a learner's do from lesson to lesson): the first test left its solution applied, saved like a
 * learner's edits.
 */
async function openLessonAtStart(lessonId: string) {
  const href = `/lessons/${lessonId}/?runtime=local`;
  if (page.url().startsWith(site.url)) await followLink(page, href);
  else await page.goto(site.url + href);
  // Its files in the workspace and the sandbox: until then Reset may still speak for the lesson before.
  await lessonReady(page, lessonId);
  const reset = page.getByRole('button', { name: 'Reset' });
  if (await reset.isEnabled()) await reset.click(); // the confirmation is accepted
  await expect.poll(() => reset.isEnabled()).toBe(false);
}

async function showTheSolution() {
  await page.getByRole('button', { name: 'Show solution' }).click();
  await page.getByRole('dialog', { name: 'The solution' }).getByRole('button', { name: 'Apply the solution' }).click();
}

describe('the editor marks what tsc finds, and nothing else', () => {
  test('the dashboard and the alert rule of lessons 5 and 9, as their solutions write them, open with nothing marked', { timeout: 300_000 }, async () => {
    // The walkthrough checks every lesson at its start and solved; it solves these two in the
    // Telemetry panel, so their solutions' own files are checked here.
    const marks: string[] = [];
    for (const lessonId of ['05-a-dashboard-for-the-checkout', '09-dont-watch-get-alerted']) {
      await openLessonAtStart(lessonId);
      await waitForBoot(page);
      await showTheSolution();
      const { solution } = await lessonSandbox(lessonId);
      for (const [path, text] of Object.entries(solution)) await expect.poll(() => sandboxFile(site.sandboxesDir, path), { timeout: 60_000 }).toBe(text);
      marks.push(...(await markedNow()).map((mark) => `${lessonId} solution: ${mark}`));
    }
    expect(marks).toEqual([]);
  });

  test('a wrong argument type in inventory.ts and a misspelt Sentry option are marked on their lines', async () => {
    // Lesson 3 starts with lesson 2's solution: the backend's Sentry.init with tracing.
    await openLessonAtStart('03-trace-the-frontend');
    await openFile(page, 'backend/src/inventory.ts');
    await waitForTypes(page);
    await replaceInEditor(page, 'stock.get(productId)', 'stock.get(42)');
    await waitForTypes(page);
    expect(await problemsHere(page)).toEqual(["18: Argument of type 'number' is not assignable to parameter of type 'string'."]);
    expect(await squiggledLines(page)).toEqual([18]);

    await openFile(page, 'backend/src/instrument.ts');
    await replaceInEditor(page, 'tracesSampleRate', 'tracesSampleRat');
    await waitForTypes(page);
    expect(await problemsHere(page)).toEqual([
      "6: Object literal may only specify known properties, but 'tracesSampleRat' does not exist in type 'NodeOptions'. Did you mean to write 'tracesSampleRate'?",
    ]);
    expect(await squiggledLines(page)).toEqual([6]);
    // The other file's problem is listed too, with its path.
    expect(await listedProblems(page)).toContainEqual(expect.objectContaining({ path: 'backend/src/inventory.ts', line: 18 }));
    await page.locator('.ws-editor').screenshot({ path: artifactPath('editor-types-mistake.png') });

    await page.getByRole('button', { name: 'Reset' }).click();
    await waitForTypes(page);
    expect(await listedProblems(page)).toEqual([]);
  });

  test("lesson 8's hint: the `?.` and `!` gone but the list still `string[] | null`, TypeScript marks the lines that use it", async () => {
    await openLessonAtStart('08-fix-it');
    await openFile(page, 'backend/src/inventory.ts');
    await waitForTypes(page);
    expect(await problemsHere(page)).toEqual([]);
    // The bullets' two changes, with the declaration's `as string[] | null` left over.
    await replaceInEditor(page, 'let productInventory = null as', 'let productInventory = [] as');
    await replaceInEditor(page, 'productInventory?.push', 'productInventory.push');
    await replaceInEditor(page, 'productInventory!.includes', 'productInventory.includes');
    await waitForTypes(page);
    expect(await problemsHere(page)).toEqual(["24: 'productInventory' is possibly 'null'.", "29: 'productInventory' is possibly 'null'."]);
    expect(await squiggledLines(page)).toEqual([24, 29]);
    await page.locator('.ws-editor').screenshot({ path: artifactPath('editor-types-lesson-8-hint.png') });

    // What the hint says to do: say in the type that the list is never null.
    await replaceInEditor(page, 'let productInventory = [] as string[] | null;', 'let productInventory: string[] = [];');
    await waitForTypes(page);
    expect(await problemsHere(page)).toEqual([]);
    expect(await squiggledLines(page)).toEqual([]);
    await page.getByRole('button', { name: 'Reset' }).click();
  });

  test("once the learner changes package.json in the shell, the types come from the sandbox's node_modules, which hold the asset's packages", async () => {
    await openLessonAtStart('01-meet-the-storefront');
    await waitForBoot(page);
    await waitForTypes(page);
    expect(await page.locator('.editor-problems').getAttribute('data-types-from')).toBe('asset');
    // (A new package cannot be installed here, with no registry: changing package.json is what
    // sends the editor to the sandbox's node_modules, as an install would.)
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await expect.poll(() => terminalText(page, 'terminal-shell'), { timeout: 15_000 }).toMatch(/storefront \$/);
    await page.locator('[data-testid="terminal-shell"] .xterm-helper-textarea').focus();
    await page.keyboard.type('npm pkg set description="Trace & Co., noted in the shell" && echo set-$((6 * 7))\n');
    await expect.poll(() => terminalText(page, 'terminal-shell'), { timeout: 30_000 }).toContain('set-42');
    await openFile(page, 'package.json');
    // Monaco draws spaces as no-break spaces.
    const editorText = async () => (await page.locator('.monaco-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
    await expect.poll(editorText, { timeout: 15_000 }).toContain('noted in the shell');
    await expect.poll(() => page.locator('.editor-problems').getAttribute('data-types-from'), { timeout: 15_000 }).toBe('sandbox');
    await waitForTypes(page);
    // Checked in full: no word that the declarations failed and only syntax is checked.
    expect(await page.locator('.editor-problems-note').count()).toBe(0);
    expect(await listedProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => page.locator('.editor-problems').getAttribute('data-types-from'), { timeout: 15_000 }).toBe('asset');
    await page.getByRole('tab', { name: 'Preview' }).click();
  });
});
