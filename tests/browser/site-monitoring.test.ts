/**
 * The course's own monitoring (src/site-monitoring/), opt-in: a site built without a DSN ships no
 * SDK; built with one, pointed at a real instance of the shop's collector (a Sentry-compatible
 * ingest), it reports each workspace boot as a trace with a span per step, each Check with its
 * result counts and what the sandbox's capability probe found missing, and a failed boot as an
 * error naming its step — and never the learner's code, edits or terminal output.
 * Its sandboxes run on a Node that lacks what an in-browser Node may lack (tracing channels, the
 * HTTP server's request channel): the learner is told, and so is the host.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { buildSiteCopy, startSite, type RunningSite } from '../support/site-server.ts';
import { startTestCollector, type TestCollector } from '../telemetry/collector.ts';
import { openFile, replaceInEditor, waitForBoot } from '../support/workspace-page.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const scripts = (dir: string) => readdirSync(join(dir, '_astro')).filter((name) => name.endsWith('.js'));
const LEARNER_MARKER = 'learner-wrote-this-7f3a';

let collector: TestCollector;
let monitoredDist: string;
let site: RunningSite;
let browser: Browser;

beforeAll(async () => {
  collector = await startTestCollector({ pagesPostDirectly: true });
  monitoredDist = buildSiteCopy({ PUBLIC_SENTRY_DSN: collector.dsn });
  // By URL: `--require <path>` would read the sandbox's package.json, which a test here breaks.
  const lacking = new URL('../support/without-diagnostics-channels.cjs', import.meta.url).href;
  [site, browser] = await Promise.all([startSite({ CTL_SITE_DIR: monitoredDist, CTL_SANDBOX_NODE_OPTIONS: `--import ${lacking}` }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await site?.stop();
  await collector?.close();
});

/** Everything the site sent, as text: what must not hold the learner's code. */
const everythingSent = () => collector.received.map((bytes) => new TextDecoder().decode(bytes)).join('\n');

describe('without a DSN', () => {
  test('the built site holds no Sentry SDK and says nothing about reporting', () => {
    const dist = `${repoRoot}dist`;
    const withSdk = scripts(dist).filter((name) => readFileSync(join(dist, '_astro', name), 'utf8').includes('__SENTRY__'));
    expect(withSdk).toEqual([]);
    expect(readFileSync(join(dist, 'lessons/01-meet-the-storefront/index.html'), 'utf8').includes('<footer class="site-footer">')).toBe(false);
    // What monitoring adds when it is on, all of it loaded after the first paint.
    const total = (root: string) => scripts(root).reduce((sum, name) => sum + gzipSync(readFileSync(join(root, '_astro', name))).length, 0);
    console.log(`monitoring on adds ${((total(monitoredDist) - total(dist)) / 1024).toFixed(1)} KiB of script (gzip), loaded after the first paint`);
  });
});

describe('with a DSN', () => {
  test('each boot is a trace with a span per step; Check is a span with its result counts; what the sandbox lacks is told to the learner and the host', {
    timeout: 300_000,
  }, async () => {
    const page = await site.newPage(browser, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${site.url}/lessons/02-trace-the-backend/?runtime=local`);
    expect(await page.locator('.site-footer').innerText()).toMatch(/reports its errors and timings/);
    await waitForBoot(page);
    // The learner is told what this sandbox lacks, and which lessons cannot pass here.
    const lacks = page.getByRole('note').filter({ hasText: 'This sandbox lacks' });
    await expect.poll(() => lacks.locator('summary').innerText(), { timeout: 30_000 }).toBe('This sandbox lacks httpServerChannel, tracingChannel');
    await lacks.locator('summary').click();
    expect(await lacks.innerText()).toMatch(/backend traces stay empty \(lessons 2, 3, 6, 7 cannot pass their checks here\)/);
    expect(await lacks.innerText()).toMatch(/no Express route names \(lesson 2 cannot pass its checks here\)/);
    await openFile(page, 'backend/src/instrument.ts');
    await replaceInEditor(page, 'export {};', `export {}; // ${LEARNER_MARKER}`);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.locator('#panel-checks .checks-summary').count(), { timeout: 120_000 }).toBe(1);
    // A failing Check says why this lesson cannot pass in this sandbox.
    expect(await page.locator('#panel-checks .checks-note').innerText()).toMatch(
      /^This sandbox's Node lacks what this lesson needs: the backend sends no request spans.*\(httpServerChannel is missing\); backend spans carry no Express route names \(tracingChannel is missing\)\./,
    );

    const spans = () => collector.store.spans();
    await expect.poll(() => spans().some((span) => span.op === 'workspace.check'), { timeout: 30_000 }).toBe(true);
    const boot = spans().find((span) => span.op === 'workspace.boot')!;
    expect(boot).toBeDefined();
    expect(boot.attributes).toMatchObject({ 'lesson.id': '02-trace-the-backend', 'runtime.kind': 'local' });
    expect(boot.status).toBe('ok');
    const steps = spans().filter((span) => span.traceId === boot.traceId && span.op?.startsWith('workspace.boot.'));
    expect(steps.map((span) => span.op)).toEqual(expect.arrayContaining(['workspace.boot.mount', 'workspace.boot.start']));
    const check = spans().find((span) => span.op === 'workspace.check')!;
    expect(check.attributes).toMatchObject({
      'lesson.id': '02-trace-the-backend',
      'check.passed': false,
      'sandbox.missing': 'httpServerChannel,tracingChannel',
    });
    // The capability probe's findings travel with it: what a host learns of real browsers' sandboxes.
    expect(String(check.attributes['sandbox.node'])).toMatch(/^v22\./);
    expect(Number(check.attributes['check.results.failed'])).toBeGreaterThan(0);
    expect(check.end - check.start).toBeGreaterThan(0);
    await page.close();
  });

  test('a failed boot is an error that names its step', { timeout: 300_000 }, async () => {
    const page = await site.newPage(browser);
    await page.goto(`${site.url}/`);
    await page.evaluate(() => localStorage.setItem('ctl:edits:01-meet-the-storefront', JSON.stringify({ 'package.json': '{ "name": broken' })));
    await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
    await page.locator('.boot-error').waitFor({ timeout: 120_000 });
    await expect.poll(() => collector.store.issues().some((issue) => issue.type === 'BootFailure'), { timeout: 30_000 }).toBe(true);
    expect(everythingSent()).toMatch(/"boot\.step":"install"/);
    await page.close();
  });

  test("nothing sent holds the learner's code, edits, terminal output or file paths", () => {
    const sent = everythingSent();
    expect(sent.length).toBeGreaterThan(0);
    for (const secret of [LEARNER_MARKER, '"name": broken', 'Backend listening', 'VITE', 'ctl-sandbox-', 'tracesSampleRate']) {
      expect(sent, `the site sent ${JSON.stringify(secret)}`).not.toContain(secret);
    }
  });
});
