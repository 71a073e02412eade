/**
 * The editor's red squiggles are always true, in Chromium: it checks the sandbox as tsc does with
 * the shop's own tsconfig.json files and the packages' real declarations. Every lesson, at its
 * start and with its solution, has nothing marked in any file, and each version of each file opens
 * with no squiggle; a real mistake typed in
 * is marked on its line; lesson 8's hint names the mark TypeScript shows; once the learner changes
 * the shop's packages, the types come from the sandbox's node_modules. (tests/workspace/sandbox-projects.test.ts checks how the
 * projects are made without a browser.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { artifactPath } from '../support/artifacts.ts';
import { launchChromium } from '../support/chromium.ts';
import { listedProblems, problemsHere, squiggledLines, waitForTypes } from '../support/editor-problems.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { openFile, replaceInEditor, terminalText, waitForBoot } from '../support/workspace-page.ts';

let site: RunningSite;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

const tree = () => page.getByRole('navigation', { name: 'Sandbox files' });

/** What each file held when it was last opened and found with nothing marked. */
const openedClean = new Map<string, string>();

/**
 * What the editor marks in the sandbox as it is, `path: line: message`: every file's problems, as
 * listed under the editor (the checker marks every file, open or not); and each file opened whose
 * content it has not been opened with before, for its squiggles. (Opening the same text again would
 * draw the same marks: the list already says the file's markers are none.)
 */
async function marksInEveryFile(files: Record<string, string>): Promise<string[]> {
  const paths = await tree()
    .locator('button.file-button')
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('title')!));
  const marks: string[] = [];
  const unseen = paths.filter((path) => files[path] === undefined || openedClean.get(path) !== files[path]);
  // The list is under the editor: with every file seen already, the first is opened to read it.
  for (const path of unseen.length ? unseen : paths.slice(0, 1)) {
    await openFile(page, path);
    await waitForTypes(page);
    const squiggled = await squiggledLines(page);
    const here = [...(await problemsHere(page)).map((problem) => `${path}: ${problem}`), ...squiggled.map((line) => `${path}: squiggle on line ${line}`)];
    marks.push(...here);
    if (!here.length && files[path] !== undefined) openedClean.set(path, files[path]);
  }
  const elsewhere = (await listedProblems(page)).filter((problem) => problem.path !== '');
  marks.push(...elsewhere.map((problem) => `${problem.path}: ${problem.line}: ${problem.message}`));
  return marks;
}

/** Opens a lesson as it starts: the first test left its solution applied, saved like a learner's edits. */
async function openLessonAtStart(lessonId: string) {
  await page.goto(`${site.url}/lessons/${lessonId}/?runtime=local`);
  await expect.poll(() => page.locator('.ws').getAttribute('data-lesson'), { timeout: 30_000 }).toBe(lessonId);
  const reset = page.getByRole('button', { name: 'Reset' });
  if (await reset.isEnabled()) await reset.click(); // the confirmation is accepted
  await expect.poll(() => reset.isEnabled()).toBe(false);
}

async function showTheSolution() {
  await page.getByRole('button', { name: 'Show solution' }).click();
  await page.getByRole('dialog', { name: 'The solution' }).getByRole('button', { name: 'Apply the solution' }).click();
}

describe('the editor marks what tsc finds, and nothing else', () => {
  test('every lesson, at its start and with its solution, has nothing marked in any file; each version of a file opens with no squiggle', {
    timeout: 1_500_000,
  }, async () => {
    const marks: string[] = [];
    await page.goto(`${site.url}/lessons/${lessonIds()[0]}/?runtime=local`);
    for (const [index, lessonId] of lessonIds().entries()) {
      // On to the next lesson as a learner goes: its link, the workspace staying as it is.
      if (index > 0) await page.locator('a[rel="next"]').click();
      await expect.poll(() => page.locator('.ws').getAttribute('data-lesson'), { timeout: 30_000 }).toBe(lessonId);
      const sandbox = await lessonSandbox(lessonId);
      const start = await marksInEveryFile(sandbox.start);
      console.log(`${lessonId} at its start: ${start.length} marks`);
      marks.push(...start.map((mark) => `${lessonId} start: ${mark}`));
      if (Object.keys(sandbox.solution).length === 0) continue;
      await showTheSolution();
      const solved = await marksInEveryFile({ ...sandbox.start, ...sandbox.solution });
      console.log(`${lessonId} with its solution: ${solved.length} marks`);
      marks.push(...solved.map((mark) => `${lessonId} solution: ${mark}`));
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
