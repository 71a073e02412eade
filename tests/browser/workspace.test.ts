import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { artifactPath } from '../support/artifacts.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';
import {
  openFile as open,
  previewFrame as preview,
  replaceInEditor as replace,
  terminalText as terminal,
  waitForBoot as boot,
} from '../support/workspace-page.ts';

const previewFrame = () => preview(page);
const waitForBoot = () => boot(page);
const openFile = (path: string) => open(page, path);
const replaceInEditor = (find: string, replacement: string) => replace(page, find, replacement);
const terminalText = (testId: string) => terminal(page, testId);
const editorText = async () => (await page.locator('.monaco-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');

const LESSON = '/lessons/01-meet-the-storefront/?runtime=local';
const sandboxesRoot = mkdtempSync(join(scratchDir(), 'ctl-browser-sandboxes-'));

let site: RunningSite;
let browser: Browser;
let context: BrowserContext;
let page: Page;

/** A file of the running sandbox as it is on disk, or null when it is not there. */
function sandboxFile(path: string): string | null {
  const [folder] = readdirSync(sandboxesRoot).filter((name) => name.startsWith('ctl-sandbox-'));
  try {
    return readFileSync(join(sandboxesRoot, folder!, path), 'utf8');
  } catch {
    return null;
  }
}

/** Pids of live processes whose working folder is inside this test's sandboxes. */
function sandboxProcesses(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(sandboxesRoot);
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite({ CTL_SANDBOXES_DIR: sandboxesRoot, CTL_RELOAD_GRACE_MS: '3000' }), launchChromium()]);
  context = await browser.newContext({ viewport: { width: 1440, height: 960 }, colorScheme: 'light' });
  await site.authenticate(context);
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

// A test's own tab goes with it, failed or not: left open, it would hold the shop and the next test's tab would find it busy.
afterEach(async () => {
  for (const other of context?.pages() ?? []) if (other !== page) await other.close();
});

describe('the workspace on the local runtime', () => {
  test('opening lesson 1 boots the sandbox; the preview shows the products the backend serves', async () => {
    const started = Date.now();
    await page.goto(site.url + LESSON);
    await waitForBoot();
    console.log(`lesson 1 → shop in the preview: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(await page.locator('.ws').getAttribute('data-runtime')).toBe('local');
    const products = await previewFrame().evaluate(async () => (await fetch('/api/products')).json());
    expect(products.length).toBeGreaterThan(0);
    await expect.poll(() => previewFrame().locator('body').innerText()).toContain(products[0].name);
    await page.screenshot({ path: artifactPath('workspace-light.png') });
  });

  test("Shop output shows the dev servers' output, and says where typing goes", async () => {
    await page.getByRole('tab', { name: 'Shop output' }).click();
    await expect.poll(() => terminalText('terminal-dev-server-output')).toMatch(/\[backend\].*listening/i);
    expect(await terminalText('terminal-dev-server-output')).toMatch(/\[frontend\]/);
    await page.locator('[data-testid="terminal-dev-server-output"] .xterm-helper-textarea').focus();
    await page.keyboard.type('ls\n');
    await expect.poll(() => terminalText('terminal-dev-server-output')).toMatch(/takes no typing: type commands in the Terminal tab/);
  });

  test('a command typed in the Terminal runs in the sandbox and prints', async () => {
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await expect.poll(() => terminalText('terminal-shell'), { timeout: 15_000 }).toMatch(/storefront \$/);
    await page.locator('[data-testid="terminal-shell"] .xterm-helper-textarea').focus();
    await page.keyboard.type('echo "answer=$((6 * 7))" && ls backend/src\n');
    await expect.poll(() => terminalText('terminal-shell'), { timeout: 15_000 }).toContain('answer=42');
    await expect.poll(() => terminalText('terminal-shell'), { timeout: 15_000 }).toContain('inventory.ts');
    await page.getByRole('tab', { name: 'Preview' }).click();
  });

  test('editing a backend file in Monaco changes what /api/products returns, without a restart by hand', async () => {
    await openFile('backend/src/catalog.ts');
    await replaceInEditor("name: 'Trail Mug'", "name: 'Summit Mug'");
    await expect
      .poll(async () => JSON.stringify(await previewFrame().evaluate(async () => (await fetch('/api/products')).json().catch(() => null))), {
        timeout: 30_000,
        interval: 500,
      })
      .toContain('Summit Mug');
  });

  test('a syntax error in the backend shows in one line with its file:line and an editor marker, Check says so at once, and the fix clears it', async () => {
    const status = page.locator('.shop-status');
    const problem = status.locator('.shop-problem[data-part="backend"]');
    const saved = Date.now();
    // Typed without quotes: Monaco closes a quote typed before another one.
    await replaceInEditor('priceCents: 1800,', 'priceCents: 1800;,');
    await expect.poll(() => problem.count(), { timeout: 15_000 }).toBe(1);
    console.log(`syntax error → message on screen: ${((Date.now() - saved) / 1000).toFixed(1)} s`);
    expect(await problem.innerText()).toMatch(/^Backend failed to start: backend\/src\/catalog\.ts:\d+:\d+ /);
    await expect.poll(() => page.locator('.monaco-editor .squiggly-error').count()).toBeGreaterThan(0);

    const checked = Date.now();
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    const checks = page.locator('#panel-checks');
    await expect.poll(() => checks.locator('.checks-summary').count(), { timeout: 30_000 }).toBe(1);
    console.log(`Check on the broken shop: ${((Date.now() - checked) / 1000).toFixed(1)} s`);
    expect(await checks.innerText()).toMatch(/backend is not running[\s\S]*catalog\.ts/i);

    await page.getByRole('tab', { name: 'Preview' }).click();
    await replaceInEditor('1800;', '1800');
    await expect.poll(() => problem.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => status.innerText(), { timeout: 15_000 }).toBe('Shop running');
    await expect.poll(() => page.locator('.monaco-editor .squiggly-error').count()).toBe(0);
    await expect
      .poll(async () => JSON.stringify(await previewFrame().evaluate(async () => (await fetch('/api/products')).json().catch(() => null))), { timeout: 30_000 })
      .toContain('Summit Mug');
  });

  test('editing App.tsx hot-reloads the preview (no full reload)', async () => {
    await previewFrame().evaluate(() => ((window as unknown as { beforeEdit: boolean }).beforeEdit = true));
    await openFile('frontend/src/App.tsx');
    await replaceInEditor('Gear for people who read traces', 'Gear for people who love traces');
    await expect.poll(() => previewFrame().locator('h1').textContent(), { timeout: 30_000 }).toBe('Gear for people who love traces');
    expect(await previewFrame().evaluate(() => (window as unknown as { beforeEdit?: boolean }).beforeEdit)).toBe(true);
  });

  test('edits survive a page reload, and Reset brings the original back', async () => {
    await page.waitForTimeout(600); // past the save debounce
    await page.reload();
    await waitForBoot();
    expect(await previewFrame().locator('h1').textContent()).toBe('Gear for people who love traces');
    await expect.poll(() => page.locator('.file-tree [aria-label="edited"]').count()).toBe(2);

    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => previewFrame().locator('h1').textContent(), { timeout: 30_000 }).toBe('Gear for people who read traces');
    await expect.poll(() => page.locator('.file-tree [aria-label="edited"]').count()).toBe(0);
    await page.reload();
    await waitForBoot();
    expect(await previewFrame().locator('h1').textContent()).toBe('Gear for people who read traces');
  });

  test('a change made in the Terminal shows in the editor', async () => {
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await expect.poll(() => terminalText('terminal-shell'), { timeout: 15_000 }).toMatch(/storefront \$/);
    await page.locator('[data-testid="terminal-shell"] .xterm-helper-textarea').focus();
    await page.keyboard.type("sed -i 's/Trail Mug/Shell Mug/' backend/src/catalog.ts\n");
    await openFile('backend/src/catalog.ts');
    await expect.poll(editorText, { timeout: 15_000 }).toContain("name: 'Shell Mug'");
    await expect.poll(() => page.locator('.file-tree [aria-label="edited"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(editorText, { timeout: 15_000 }).toContain("name: 'Trail Mug'");
    await page.getByRole('tab', { name: 'Preview' }).click();
  });

  test('the file tree makes, renames and deletes files in the sandbox, and refuses a path outside it', async () => {
    const tree = page.getByRole('navigation', { name: 'Sandbox files' });
    await openFile('backend/src/catalog.ts');
    await tree.getByRole('button', { name: 'New file' }).click();
    const field = tree.getByLabel('New file path');
    expect(await field.inputValue()).toBe('backend/src/');
    await field.fill('../outside.ts');
    await field.press('Enter');
    await expect.poll(() => tree.getByRole('alert').innerText()).toMatch(/not a path inside the sandbox/);
    await field.fill('backend/src/notes.md');
    await field.press('Enter');
    await expect.poll(() => sandboxFile('backend/src/notes.md'), { timeout: 10_000 }).toBe('');
    expect(await page.locator('.tabs[aria-label="Open files"] button[aria-current="true"]').innerText()).toContain('notes.md');

    await tree.getByRole('button', { name: 'Rename' }).click();
    await tree.getByLabel('Rename backend/src/notes.md to').fill('backend/src/shop-notes.md');
    await tree.getByLabel('Rename backend/src/notes.md to').press('Enter');
    await expect.poll(() => sandboxFile('backend/src/shop-notes.md'), { timeout: 10_000 }).toBe('');
    expect(await sandboxFile('backend/src/notes.md')).toBeNull();
    await expect.poll(() => tree.locator('button[title="backend/src/shop-notes.md"]').count()).toBe(1);

    await tree.getByRole('button', { name: 'Delete' }).click(); // the dialog is accepted
    await expect.poll(() => sandboxFile('backend/src/shop-notes.md'), { timeout: 10_000 }).toBeNull();
    await expect.poll(() => tree.locator('button[title="backend/src/shop-notes.md"]').count()).toBe(0);
  });

  test('files are told apart: the tree shows folders, a focus file keeps its whole name, each shows its full path on hover', async () => {
    const tree = page.getByRole('navigation', { name: 'Sandbox files' });
    const all = tree.locator('details', { has: page.locator('summary', { hasText: /^All files/ }) });
    if (!(await all.evaluate((details) => (details as HTMLDetailsElement).open))) await tree.getByText(/^All files/).click();
    const components = all.locator('details.folder', { has: page.locator(':scope > summary', { hasText: /^components$/ }) });
    const buttons = components.locator('button.file-button');
    expect(await buttons.evaluateAll((found) => found.map((button) => [button.textContent, button.getAttribute('title')]))).toEqual([
      ['Cart.tsx', 'frontend/src/components/Cart.tsx'],
      ['Checkout.tsx', 'frontend/src/components/Checkout.tsx'],
      ['Products.tsx', 'frontend/src/components/Products.tsx'],
    ]);
    // The lesson's own files, with their folders: when there is no room, the folder gives way, never the name.
    const focus = tree.locator('ul').first().locator('button.file-button');
    const names = await focus.evaluateAll((found) =>
      found.map((button) => {
        const name = button.querySelector<HTMLElement>('.file-name')!;
        return { title: button.getAttribute('title'), name: name.textContent, cut: name.scrollWidth > name.clientWidth };
      }),
    );
    expect(names).toEqual([
      { title: 'backend/src/inventory.ts', name: 'inventory.ts', cut: false },
      { title: 'backend/src/app.ts', name: 'app.ts', cut: false },
      { title: 'frontend/src/App.tsx', name: 'App.tsx', cut: false },
    ]);
    await tree.screenshot({ path: artifactPath('file-tree.png') });
  });

  test('scrolled into a function, no pinned header covers the code', async () => {
    await openFile('backend/src/app.ts');
    const editor = page.locator('.code-editor .monaco-editor');
    const box = (await editor.boundingBox())!;
    const firstLineShown = () =>
      editor.evaluate((element) => {
        const top = element.querySelector('.overflow-guard')!.getBoundingClientRect().top;
        const shown = [...element.querySelectorAll('.margin-view-overlays .line-numbers')].filter((number) => number.getBoundingClientRect().top >= top - 1);
        return Math.min(...shown.map((number) => Number(number.textContent)));
      });
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Into createApp() (line 20), past its first lines, as a learner scrolls.
    for (let step = 0; step < 30 && (await firstLineShown()) < 24; step++) await page.mouse.wheel(0, 100);
    expect(await firstLineShown()).toBeGreaterThanOrEqual(24);
    // What shows at the top of the code is the code's own line, not a header pinned over it.
    const atTop = await editor.evaluate((element) => {
      const guard = element.querySelector('.overflow-guard')!.getBoundingClientRect();
      const hit = document.elementFromPoint(guard.left + 120, guard.top + 12);
      return hit?.closest('.view-lines') ? 'code' : hit?.className;
    });
    expect(atTop).toBe('code');
  });

  test('the panes resize from the keyboard, and keep their size', async () => {
    const lessonSplit = page.getByRole('separator', { name: 'Resize the lesson and the workspace' });
    const before = Number(await lessonSplit.getAttribute('aria-valuenow'));
    const proseWidth = (await page.locator('article.prose').boundingBox())!.width;
    await lessonSplit.focus();
    await page.keyboard.press('ArrowRight');
    expect(Number(await lessonSplit.getAttribute('aria-valuenow'))).toBe(before + 5);
    expect((await page.locator('article.prose').boundingBox())!.width).toBeGreaterThan(proseWidth + 20);
    await page.keyboard.press('ArrowLeft');

    const editorSplit = page.getByRole('separator', { name: 'Resize the editor and the panels' });
    const editorHeight = (await page.locator('.ws-editor').boundingBox())!.height;
    await editorSplit.focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect((await page.locator('.ws-editor').boundingBox())!.height).toBeLessThan(editorHeight - 20);
    expect(await page.evaluate(() => localStorage.getItem('ctl:split:editor'))).toBe('40');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
  });

  test('the workspace in the dark theme', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: artifactPath('workspace-dark.png') });
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
  });

  test('closing the tab leaves no sandbox process running, once the moment a reload would take is over', async () => {
    expect(sandboxProcesses().length).toBeGreaterThan(0);
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => sandboxProcesses().length, { timeout: 20_000, interval: 250 }).toBe(0);
    await expect.poll(() => readdirSync(sandboxesRoot).length, { timeout: 10_000 }).toBe(0);
  });
});

describe('the learner never loses their code', () => {
  test("'Show solution' shows it, applies it keeping the learner's version, and 'Restore my code' brings that back", async () => {
    const lesson = await context.newPage();
    lesson.on('dialog', (dialog) => void dialog.accept());
    await lesson.goto(`${site.url}/lessons/02-trace-the-backend/?runtime=local`);
    await boot(lesson);
    await open(lesson, 'backend/src/instrument.ts');
    await replace(lesson, 'export {};', 'export {}; // my own attempt');
    await lesson.getByRole('button', { name: 'Show solution' }).click();
    const dialog = lesson.getByRole('dialog', { name: 'The solution' });
    // It opens at its top, its title read first, the button that applies it in view however long the code.
    const inView = (name: string) =>
      dialog.getByRole(name === 'The solution' ? 'heading' : 'button', { name }).evaluate((element) => {
        const box = element.getBoundingClientRect();
        const frame = element.closest('dialog')!.getBoundingClientRect();
        return box.top >= frame.top && box.bottom <= frame.bottom;
      });
    await dialog.waitFor();
    expect(await lesson.evaluate(() => document.activeElement?.id)).toBe('solution-title');
    expect(await inView('The solution')).toBe(true);
    expect(await inView('Apply the solution')).toBe(true);
    expect(await dialog.innerText()).toContain('Sentry.init(');
    expect(await dialog.innerText()).toContain('backend/src/instrument.ts');
    await dialog.getByRole('button', { name: 'Apply the solution' }).click();
    // Monaco draws spaces as no-break spaces.
    const editorText = async () => (await lesson.locator('.monaco-editor .view-lines').innerText()).replaceAll('\u00a0', ' ');
    await expect.poll(editorText).toContain('tracesSampleRate: 1.0');
    await lesson.waitForTimeout(600);
    const sandboxFile = async () => (await lesson.evaluate(() => localStorage.getItem('ctl:edits:02-trace-the-backend'))) ?? '';
    expect(await sandboxFile()).toContain('tracesSampleRate');

    await lesson.getByRole('button', { name: 'Restore my code' }).click();
    await expect.poll(editorText).toContain('my own attempt');
    await expect.poll(sandboxFile).toContain('my own attempt');
    await lesson.close();
  });

  test('a failed install says what failed and offers a retry; the edit that caused it is kept', async () => {
    const broken = await context.newPage();
    broken.on('dialog', (dialog) => void dialog.accept());
    await broken.goto(`${site.url}/`);
    await broken.evaluate(() => localStorage.setItem('ctl:edits:01-meet-the-storefront', JSON.stringify({ 'package.json': '{ "name": broken' })));
    await broken.goto(`${site.url}${LESSON}`);
    const error = broken.locator('.boot-error');

    await expect.poll(() => error.count(), { timeout: 60_000 }).toBe(1);
    expect(await error.innerText()).toMatch(/npm install failed/);
    expect(await broken.locator('.ws').getAttribute('data-boot-step')).toBe('failed');
    expect(await broken.evaluate(() => localStorage.getItem('ctl:edits:01-meet-the-storefront'))).toContain('broken');

    // Putting package.json back and retrying boots the shop.
    await broken.getByRole('button', { name: 'Reset' }).click();
    await broken.waitForTimeout(600);
    await broken.getByRole('button', { name: 'Try again' }).click();
    await boot(broken);
    await broken.close();
  });
});

describe('Check', () => {
  test("runs the lesson's checkpoints in the sandbox: a failure says what to look at; once solved the lesson is done", async () => {
    const lesson = await context.newPage();
    await lesson.goto(`${site.url}/lessons/02-trace-the-backend/?runtime=local`);
    await boot(lesson);
    await lesson.getByRole('button', { name: 'Check' }).click();
    const checks = lesson.locator('#panel-checks');
    await expect.poll(() => checks.locator('.checks-summary').count(), { timeout: 60_000 }).toBe(1);
    expect(await checks.innerText()).toMatch(/not passing yet/);
    // Both checks fail on the start, each saying what to look at.
    const failed = await checks.locator('li[data-status="failed"]').allInnerTexts();
    expect(failed).toHaveLength(2);
    for (const text of failed) expect(text).toMatch(/backend\/src\/instrument\.ts[\s\S]*Sentry\.init/);

    await lesson.getByRole('button', { name: 'Show solution' }).click();
    await lesson.getByRole('button', { name: 'Apply the solution' }).click();
    await lesson.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => checks.locator('.checks-summary').innerText(), { timeout: 60_000 }).toMatch(/All checks passed/);
    await lesson.screenshot({ path: artifactPath('checks-passed.png') });

    await lesson.goto(`${site.url}/`);
    await expect.poll(() => lesson.locator('li[data-lesson-id="02-trace-the-backend"]').getAttribute('data-complete')).toBe('true');
    await lesson.close();
  });
});

describe('choosing the runtime', () => {
  test('Auto, on the course server, runs on this computer at once, with WebContainers offered as a choice', async () => {
    const fresh = await context.newPage();
    await fresh.goto(`${site.url}/`);
    await fresh.evaluate(() => localStorage.removeItem('ctl:runtime'));
    await fresh.goto(`${site.url}/lessons/01-meet-the-storefront/`);
    // Straight to this computer: the boot never waits on StackBlitz's service (no 'slow' WebContainer step).
    await expect.poll(() => fresh.locator('.ws').getAttribute('data-runtime'), { timeout: 30_000 }).toBe('local');
    expect(await fresh.locator('.boot-slow').count()).toBe(0);
    const picker = fresh.getByRole('combobox', { name: 'Sandbox runtime' });
    expect(await picker.inputValue()).toBe('auto');
    expect(await picker.locator('option').allInnerTexts()).toEqual(expect.arrayContaining(['In the browser']));
    expect(await picker.getAttribute('title')).toMatch(/WebContainers/);
    await fresh.close();
  });

  test('asked for WebContainers, a slow start says it is still starting and offers this computer; the boot is never cut off', async () => {
    const own = await browser.newContext({ viewport: { width: 1440, height: 960 } });
    await site.authenticate(own);
    const fresh = await own.newPage();
    await fresh.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=webcontainer`);
    const slow = fresh.locator('.boot-slow');
    await expect.poll(() => slow.count(), { timeout: 30_000 }).toBe(1);
    expect(await slow.innerText()).toMatch(/still starting/);
    await fresh.waitForTimeout(4000);
    // Still waiting, not failed: nothing was given up on.
    expect(await fresh.locator('.ws').getAttribute('data-boot-step')).toBe('runtime');
    expect(await fresh.locator('.boot-error').count()).toBe(0);
    await fresh.screenshot({ path: artifactPath('webcontainer-still-starting.png') });
    await fresh.getByRole('button', { name: 'Run on this computer instead' }).click();
    await boot(fresh);
    expect(await fresh.locator('.ws').getAttribute('data-runtime')).toBe('local');
    await own.close();
  });
});
