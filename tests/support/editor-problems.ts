/**
 * What the editor marks, read as a learner sees it: the problems listed under the editor (with
 * their lines) and the squiggles painted in the code.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { sandboxFile } from './site-server.ts';
import { openFile } from './workspace-page.ts';

/** Waits until the editor's marks are TypeScript's answer for the code it holds now. */
export async function waitForTypes(page: Page) {
  await expect.poll(() => page.locator('.editor-problems').getAttribute('data-types'), { timeout: 180_000, interval: 250 }).toBe('ready');
}

export interface ListedProblem {
  /** Empty for the open file, else its path. */
  path: string;
  line: number;
  message: string;
}

/** Every problem listed under the editor: the open file's, then other files'. */
export async function listedProblems(page: Page): Promise<ListedProblem[]> {
  const details = page.locator('.editor-problems details');
  if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) await details.locator('summary').click();
  const items = await details
    .locator('li button')
    .evaluateAll((buttons) =>
      buttons.map((button) => ({ where: button.querySelector('.editor-problems-where')?.textContent ?? '', text: button.textContent ?? '' })),
    );
  return items.map(({ where, text }) => {
    const [, path = '', line = '0'] = /^(?:(.*), )?line (\d+)$/.exec(where) ?? [];
    return { path, line: Number(line), message: text.slice(where.length).trim() };
  });
}

/** The open file's problems as `line: message`. */
export async function problemsHere(page: Page): Promise<string[]> {
  return (await listedProblems(page)).filter((problem) => problem.path === '').map((problem) => `${problem.line}: ${problem.message}`);
}

/** The line numbers that carry an error, warning or info squiggle in the part of the code on screen. */
export function squiggledLines(page: Page): Promise<number[]> {
  return page.locator('.code-editor .monaco-editor').evaluate((editor) => {
    const lineAt = new Map<string, number>();
    for (const row of editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')) {
      const number = row.querySelector('.line-numbers')?.textContent;
      if (number) lineAt.set(row.style.top, Number(number));
    }
    const squiggles = editor.querySelectorAll<HTMLElement>('.view-overlays .squiggly-error, .view-overlays .squiggly-warning, .view-overlays .squiggly-info');
    return [...new Set([...squiggles].map((squiggle) => lineAt.get(squiggle.parentElement!.style.top) ?? -1))].sort((a, b) => a - b);
  });
}

/**
 * What the editor marks in the sandbox as it is now, `path: line: message`: every file's problems,
 * as listed under the editor (the checker marks every file, open or not); and each file the
 * returned function has not yet seen clean with the text it holds now, opened for its squiggles
 * (opening the same text again would draw the same marks: the list already says its markers are
 * none). One per page: it remembers what it has opened.
 */
export function marksInEveryFile(page: Page, sandboxesDir: string): () => Promise<string[]> {
  const openedClean = new Map<string, string>();
  const tree = page.getByRole('navigation', { name: 'Sandbox files' });
  return async () => {
    const paths = await tree.locator('button.file-button').evaluateAll((buttons) => buttons.map((button) => button.getAttribute('title')!));
    const texts = new Map(await Promise.all(paths.map(async (path) => [path, await sandboxFile(sandboxesDir, path)] as const)));
    const marks: string[] = [];
    const unseen = paths.filter((path) => texts.get(path) === undefined || openedClean.get(path) !== texts.get(path));
    // The list is under the editor: with every file seen already, the first is opened to read it.
    for (const path of unseen.length ? unseen : paths.slice(0, 1)) {
      await openFile(page, path);
      await waitForTypes(page);
      const squiggled = await squiggledLines(page);
      const here = [...(await problemsHere(page)).map((problem) => `${path}: ${problem}`), ...squiggled.map((line) => `${path}: squiggle on line ${line}`)];
      marks.push(...here);
      const text = texts.get(path);
      if (!here.length && text !== undefined) openedClean.set(path, text);
    }
    const elsewhere = (await listedProblems(page)).filter((problem) => problem.path !== '');
    marks.push(...elsewhere.map((problem) => `${problem.path}: ${problem.line}: ${problem.message}`));
    return marks;
  };
}
