/**
 * What a learner meets between the lessons' own steps, in one workspace: the Terminal takes their
 * first keystroke after its prompt; their own lesson-2 code, replaced by the reference solution as
 * lesson 3 starts, is named and brought back on request; Reset can be undone; the toolbar keeps its
 * actions on one row at 1440 and 1280 px with every button showing; the home page says where they
 * are and continues there; and at the end, the shop as they have it downloads as a zip that runs on
 * its own. In real Chromium, on the course's real server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { V8_TIERS } from '../../src/runtime/local/bridge.ts';
import { launchChromium } from '../support/chromium.ts';
import { artifactPath } from '../support/artifacts.ts';
import { guardConsole } from '../support/console-guard.ts';
import { lessonFile } from '../support/lesson-sandbox.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { lessonReady, openFile, pasteWholeFile, terminalText, waitForBoot } from '../support/workspace-page.ts';

let site: RunningSite;
let browser: Browser;
let page: Page;
let guard: ReturnType<typeof guardConsole>;

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
  page = await site.newPage(browser, { viewport: { width: 1440, height: 1000 } });
  guard = guardConsole(page);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

const editorText = () => page.locator('.monaco-editor .view-lines').innerText();
/** Monaco draws spaces as no-break spaces. */
const plain = (text: string) => text.replace(/\u00a0/g, ' ');

async function checkPasses() {
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect
    .poll(
      () =>
        page
          .locator('#panel-checks .checks-summary')
          .innerText()
          .catch(() => ''),
      { timeout: 90_000, interval: 500 },
    )
    .toMatch(/All checks passed|not passing yet/);
  expect(await page.locator('#panel-checks').innerText()).toMatch(/All checks passed/);
}

/** Each of the toolbar's buttons sits on the row of the runtime picker: nothing wrapped. */
async function toolbarOnOneRow(width: number) {
  await page.setViewportSize({ width, height: 1000 });
  const picker = await page.getByLabel('Sandbox runtime').boundingBox();
  const toolbar = page.getByRole('toolbar', { name: 'Workspace' });
  const buttons = toolbar.locator('.ws-actions .button');
  const names = await buttons.allInnerTexts();
  expect(names, 'every action is in the toolbar').toEqual(['Restore my code', 'Show solution', 'Reset', 'Check']);
  for (const [index, name] of names.entries()) {
    const box = (await buttons.nth(index).boundingBox())!;
    const middle = box.y + box.height / 2;
    expect(middle > picker!.y && middle < picker!.y + picker!.height, `"${name}" on the picker's row at ${width} px`).toBe(true);
  }
  // …and what runs is said in full, not cut short to make room.
  const status = page.locator('.ws-toolbar .shop-status');
  expect(await status.innerText()).toBe('Shop running');
  expect(await status.evaluate((element) => element.scrollWidth <= element.clientWidth), `the shop's status in full at ${width} px`).toBe(true);
  await page.screenshot({ path: artifactPath(`toolbar-${width}.png`), clip: { x: 0, y: 0, width, height: 160 } });
}

/** The Telemetry panel's views and controls share one row; the search takes the rest of it, or the row below. */
async function telemetryControlsOnOneRow(width: number) {
  await page.setViewportSize({ width, height: 1000 });
  await page.getByRole('tab', { name: 'Telemetry' }).click();
  await page.locator('.telemetry-bar').screenshot({ path: artifactPath(`telemetry-bar-${width}.png`) });
  const views = (await page.getByRole('tablist', { name: 'Telemetry views' }).boundingBox())!;
  for (const name of ['Start shoppers', 'Pause', 'Clear']) {
    const box = (await page.locator('.telemetry-bar').getByRole('button', { name, exact: true }).boundingBox())!;
    const middle = box.y + box.height / 2;
    expect(middle > views.y && middle < views.y + views.height, `"${name}" on the row of the telemetry views at ${width} px`).toBe(true);
  }
  expect((await page.getByLabel('Search spans and issues').boundingBox())!.width, `the search is wide enough to read at ${width} px`).toBeGreaterThan(250);
}

test('the first keystroke in the Terminal lands after its prompt, even typed while it starts', { timeout: 300_000 }, async () => {
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
  await page.getByRole('tab', { name: 'Terminal', exact: true }).click();
  const input = page.locator('[data-testid="terminal-shell"] .xterm-helper-textarea');
  // As soon as there is a terminal to type in: its shell has not printed a prompt yet.
  await input.waitFor({ state: 'attached', timeout: 120_000 });
  await input.focus();
  await page.keyboard.type('echo first-$((40 + 2))\r');
  await expect.poll(() => terminalText(page, 'terminal-shell'), { timeout: 30_000 }).toMatch(/^first-42$/m);
  expect(await terminalText(page, 'terminal-shell')).toMatch(/^storefront \$ echo first-\$\(\(40 \+ 2\)\)$/m);
  await waitForBoot(page);
});

test("lesson 3 names the learner's lesson-2 files its start replaced, and brings them back on request", { timeout: 300_000 }, async () => {
  await checkPasses();
  await page.getByRole('link', { name: /^Next/ }).click();
  await lessonReady(page, '02-trace-the-backend');
  // Lesson 2 solved in the learner's own words: the reference, with a note of their own.
  const mine = `// Loaded before anything else, so the SDK sees Express arrive.\n${await lessonFile('02-trace-the-backend', 'solution', 'backend/src/instrument.ts')}`;
  await openFile(page, 'backend/src/instrument.ts');
  await pasteWholeFile(page, mine);
  await page.getByRole('button', { name: 'Check', exact: true }).waitFor();
  await checkPasses();

  await page.getByRole('link', { name: /^Next/ }).click();
  await lessonReady(page, '03-trace-the-frontend');
  const notice = page.locator('[data-replaced="lesson"]');
  await notice.waitFor({ timeout: 30_000 });
  expect(await notice.innerText()).toMatch(
    /This lesson starts from lesson 2\u2019s solution, so backend\/src\/instrument\.ts holds its code now, not yours\. \u201cRestore my code\u201d, above, brings yours back\./,
  );
  await page.screenshot({ path: artifactPath('moving-on-notice.png') });
  await openFile(page, 'backend/src/instrument.ts');
  expect(plain(await editorText())).not.toContain('so the SDK sees Express arrive');

  // The widest the toolbar gets: Restore my code, Show solution, Reset and Check, all on one row.
  await toolbarOnOneRow(1440);
  await toolbarOnOneRow(1280);
  await telemetryControlsOnOneRow(1440);
  await telemetryControlsOnOneRow(1280);
  await page.setViewportSize({ width: 1440, height: 1000 });

  await page.getByRole('toolbar', { name: 'Workspace' }).getByRole('button', { name: 'Restore my code' }).click();
  await expect.poll(async () => plain(await editorText())).toContain('so the SDK sees Express arrive');
  expect(await notice.count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Restore my code' }).count()).toBe(0);
});

test('Reset can be undone: the learner\u2019s code is kept one step back', async () => {
  await openFile(page, 'backend/src/instrument.ts');
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  const notice = page.locator('[data-replaced="reset"]');
  await notice.waitFor();
  expect(await notice.innerText()).toMatch(
    /Reset: backend\/src\/instrument\.ts is back as the lesson starts\. \u201cRestore my code\u201d, above, brings yours back\./,
  );
  await expect.poll(async () => plain(await editorText())).not.toContain('so the SDK sees Express arrive');
  await page.getByRole('toolbar', { name: 'Workspace' }).getByRole('button', { name: 'Restore my code' }).click();
  await expect.poll(async () => plain(await editorText())).toContain('so the SDK sees Express arrive');
  expect(await page.locator('.file-tree [aria-label="edited"]').count()).toBe(1);
});

test('the home page shows the progress and continues where the learner left off', async () => {
  await page.getByRole('link', { name: 'All lessons', exact: true }).click();
  const go = page.getByRole('link', { name: /^Continue with lesson 3: Trace the frontend/ });
  await go.waitFor({ timeout: 10_000 });
  expect(await page.locator('.hero [data-progress-count]').innerText()).toBe('2 of 10 lessons complete');
  expect(await page.locator('li[data-next="true"]').getAttribute('data-lesson-id')).toBe('03-trace-the-frontend');
  await page.screenshot({ path: artifactPath('home-progress.png'), fullPage: true });
  await go.click();
  await lessonReady(page, '03-trace-the-frontend');
  expect(guard.problems().join('\n'), 'console errors and uncaught errors').toBe('');
});

/** Whether something listens on a loopback port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(!socket.destroy()));
    socket.once('error', () => resolve(false));
  });

test('the shop downloads as a zip of the learner\u2019s files that installs, passes its tests and runs on its own', { timeout: 300_000 }, async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the shop (.zip)' }).click()]);
  expect(download.suggestedFilename()).toBe('trace-and-co-storefront.zip');
  const zipped = unzipSync(new Uint8Array(await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks))));
  const shop = (path: string) => zipped[`trace-and-co-storefront/${path}`];
  // The learner's own code, not the lesson's; what npm needs; nothing of the course's or npm's.
  expect(strFromU8(shop('backend/src/instrument.ts')!)).toContain('so the SDK sees Express arrive');
  for (const needed of ['package.json', 'package-lock.json', 'scripts/dev.mjs', 'collector/server.mjs', 'frontend/vite.config.ts'])
    expect(shop(needed), needed).toBeDefined();
  expect(Object.keys(zipped).filter((path) => /\/(node_modules|course-checks|\.telemetry)\//.test(path))).toEqual([]);
  expect(strFromU8(shop('README.md')!)).toMatch(/^> \*\*Downloaded from Checkout Trace Lab on \d{4}-\d\d-\d\d at lesson 03-trace-the-frontend:\*\*/);

  // The course's shop holds the ports the downloaded one needs.
  await browser.close();
  await site.stop();
  await expect.poll(async () => (await Promise.all([3001, 5173, 8969].map(listening))).some(Boolean), { timeout: 30_000 }).toBe(false);

  const folder = mkdtempSync(join(tmpdir(), 'ctl-download-'));
  for (const [path, bytes] of Object.entries(zipped)) {
    if (path.endsWith('/')) continue;
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), bytes);
  }
  const project = join(folder, 'trace-and-co-storefront');
  // From npm's cache where it has the packages (npm test's lanes may run without a network). With
  // the local runtime's V8 tiers, for speed only: compiling esbuild's WebAssembly with TurboFan
  // would cost each of its starts seconds of CPU (npm test here: 6 CPU-s instead of 2).
  const env = { ...process.env, npm_config_prefer_offline: 'true', NODE_OPTIONS: `--import ${V8_TIERS}` };
  const npm = (args: string[]) => spawnSync('npm', args, { cwd: project, encoding: 'utf8', env });
  const install = npm(['ci', '--no-audit', '--no-fund']);
  expect(install.status, `npm ci failed:\n${install.stdout}\n${install.stderr}`).toBe(0);
  const tests = npm(['test']);
  expect(tests.status, `npm test failed:\n${tests.stdout}\n${tests.stderr}`).toBe(0);
  expect(tests.stdout.replace(/\u001b\[[\d;]*m/g, '')).toMatch(/Tests\s+\d+ passed \(\d+\)/);

  const dev = spawn('npm', ['run', 'dev'], { cwd: project, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [dev.stdout, dev.stderr]) stream.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  try {
    const answers = async (url: string, seconds: number) => {
      for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250)))
        if ((await fetch(url).catch(() => null))?.status === 200) return;
      throw new Error(`${url} did not answer within ${seconds} s. npm run dev printed:\n${output}`);
    };
    await answers('http://localhost:5173/', 60);
    await answers('http://127.0.0.1:3001/products', 30);
    await answers('http://127.0.0.1:8969/health', 10);
    // Outside the course the collector writes a line per envelope, not the course's frames.
    expect(output).not.toContain('@@collector');
  } finally {
    process.kill(-dev.pid!, 'SIGTERM');
  }
});
