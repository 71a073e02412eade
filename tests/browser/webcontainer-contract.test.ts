/**
 * Real WebContainers in real Chromium: the Runtime contract, the shop on the browser's path (the
 * capability probe, `npm test`, `npm run shoppers`, a backend save, Restart and a Check, as
 * tests/sandbox/browser-path.ts proves them on the local runtime), and the workspace booting
 * lesson 1 and passing lesson 2's check. They need StackBlitz's hosted service; where it is
 * unreachable (as on our offline CI machines) each is reported as skipped with the reason. Never
 * run against a stand-in.
 */
import { afterAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { buildSiteCopy, startSite, type RunningSite } from '../support/site-server.ts';
import { describeRuntimeContract } from '../runtime/contract.ts';
import type { HarnessEvent, HarnessResult } from '../support/runtime-harness/harness.ts';
import { RuntimeError, type Runtime, type RuntimeErrorCode, type RuntimeFailure, type SandboxProcess } from '../../src/runtime/types.ts';
import { packagesSnapshot } from '../support/packages-snapshot.ts';
import { describeBrowserPath } from '../sandbox/browser-path.ts';

const SERVICE = 'https://stackblitz.com/';

async function serviceUnreachableReason(): Promise<string | null> {
  try {
    await fetch(SERVICE, { method: 'HEAD', signal: AbortSignal.timeout(4000) });
    return null;
  } catch (error) {
    return `${SERVICE} is unreachable from this machine (${(error as Error).cause ?? (error as Error).message})`;
  }
}

let site: RunningSite | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

/** A Runtime in Node whose every call runs in the page, on the page's WebContainer. */
async function webContainerInPage(page: Page): Promise<Runtime> {
  const outputs = new Map<number, ReadableStreamDefaultController<string>>();
  const exits = new Map<number, (code: number) => void>();
  const watchers = new Map<number, (change: { kind: 'change' | 'rename'; path: string }) => void>();
  const ready = new Set<(port: number, url: string) => void>();
  const failures = new Set<(failure: RuntimeFailure) => void>();
  await page.exposeFunction('ctlEvent', (event: HarnessEvent) => {
    if (event.type === 'output') outputs.get(event.processId)?.enqueue(event.data);
    else if (event.type === 'exit') {
      outputs.get(event.processId)?.close();
      exits.get(event.processId)?.(event.code);
    } else if (event.type === 'watch') watchers.get(event.watchId)?.({ kind: event.kind as 'change', path: event.path });
    else if (event.type === 'failure') for (const listener of failures) listener({ source: event.source, message: event.message });
    else for (const listener of ready) listener(event.port, event.url);
  });
  const unwrap = (result: HarnessResult) => {
    if (!result.ok) throw new RuntimeError(result.message, result.code as RuntimeErrorCode);
    return result.value;
  };
  const call = async (method: string, ...args: unknown[]) =>
    unwrap(await page.evaluate(([m, a]) => window.ctlHarness.call(m as string, a as unknown[]), [method, args] as const));
  /** A process of the page's runtime, driven from here: `started` resolves with its id there. */
  const proxyProcess = async (started: Promise<unknown>): Promise<SandboxProcess> => {
    let controller!: ReadableStreamDefaultController<string>;
    const output = new ReadableStream<string>({
      start(c) {
        controller = c;
      },
    });
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((resolve) => (resolveExit = resolve));
    const processId = (await started) as number;
    outputs.set(processId, controller);
    exits.set(processId, resolveExit);
    return {
      output,
      exit,
      write: (data) => void call('write', processId, data),
      resize: (size) => void call('resize', processId, size),
      kill: () => void call('kill', processId),
    };
  };
  unwrap(await page.evaluate(() => window.ctlHarness.boot()));

  return {
    kind: 'webcontainer',
    mount: async (tree) => void (await call('mount', tree)),
    // The page fetches the snapshot from the site itself, as the workspace does.
    mountSnapshot: async (snapshot, onProgress) => {
      await call('mountSnapshot', snapshot);
      onProgress?.(1);
    },
    onFailure(listener) {
      failures.add(listener);
      return () => void failures.delete(listener);
    },
    readFile: async (path) => (await call('readFile', path)) as string,
    writeFile: async (path, contents) => void (await call('writeFile', path, contents)),
    rm: async (path) => void (await call('rm', path)),
    readdir: async (path) => (await call('readdir', path)) as Awaited<ReturnType<Runtime['readdir']>>,
    watch(path, listener) {
      const id = call('watch', path).then((watchId) => {
        watchers.set(watchId as number, listener);
        return watchId;
      });
      return () => void id.then((watchId) => call('unwatch', watchId));
    },
    spawn: (command, args, options) => proxyProcess(call('spawn', command, args, options ?? {})),
    openShell: (size) => proxyProcess(call('openShell', size)),
    onServerReady(listener) {
      ready.add(listener);
      return () => void ready.delete(listener);
    },
    teardown: async () => void (await call('teardown')),
  };
}

const unreachable = await serviceUnreachableReason();
if (unreachable) {
  test.skip(`WebContainer contract skipped: ${unreachable}`, () => {});
  test.skip(`The shop on WebContainers (probe, npm test, shoppers, a backend save, Restart, a Check) skipped: ${unreachable}`, () => {});
  test.skip(`WebContainer workspace (lesson 1 boots, lesson 2's check passes) skipped: ${unreachable}`, () => {});
} else {
  test("the workspace boots lesson 1 in WebContainers from the packages snapshot, and lesson 2's check passes with its solution", {
    timeout: 600_000,
  }, async () => {
    site ??= await startSite({ CTL_SITE_DIR: buildSiteCopy({ CTL_RUNTIME_HARNESS: '1' }) });
    browser ??= await launchChromium();
    const page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
    await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=webcontainer`);
    await page.waitForFunction(() => document.querySelector('.ws')?.getAttribute('data-boot-step') === 'ready', null, { timeout: 300_000 });
    expect(await page.locator('.ws').getAttribute('data-runtime')).toBe('webcontainer');
    await page.frameLocator('iframe[title="Shop preview"]').locator('.product-card').first().waitFor({ timeout: 60_000 });

    await page.getByRole('link', { name: /^Next/ }).click();
    await page.waitForFunction(() => document.querySelector('.ws')?.getAttribute('data-lesson-synced') === 'true', null, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Show solution' }).click();
    await page.getByRole('button', { name: 'Apply the solution' }).click();
    await page.getByRole('button', { name: 'Check' }).click();
    await expect
      .poll(
        () =>
          page
            .locator('#panel-checks .checks-summary')
            .innerText()
            .catch(() => ''),
        { timeout: 120_000 },
      )
      .toMatch(/All checks passed/);
  });

  /** A fresh page, and its one WebContainer. */
  const webContainerPage = async () => {
    site ??= await startSite({ CTL_SITE_DIR: buildSiteCopy({ CTL_RUNTIME_HARNESS: '1' }) });
    browser ??= await launchChromium();
    const page = await site.newPage(browser);
    await page.goto(`${site.url}/dev/runtime-harness/`);
    return webContainerInPage(page);
  };
  describeRuntimeContract('webcontainer (real Chromium)', webContainerPage, packagesSnapshot);
  describeBrowserPath('WebContainers (real Chromium)', webContainerPage, packagesSnapshot);
}
