/**
 * What the editor's types cost and when they arrive, opening lesson 1 in real Chromium on the
 * course's own server (local runtime, the sandbox booting meanwhile), on loopback and on a
 * throttled link (9 Mbit/s, 40 ms RTT): the declarations asset's bytes, when its request starts
 * and ends against first contentful paint and the editor's loading, and when the editor's marks
 * are TypeScript's (`data-types="ready"`). Medians of three runs.
 * Budgets: the asset is requested only after first paint and after the editor has loaded; at most
 * 3 MiB gzip.  Run after `npm run build`:  node bench/editor-types.ts
 */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/support/chromium.ts';
import { startSite, type RunningSite } from '../tests/support/site-server.ts';
import type { DeclarationsManifest } from '../src/declarations/manifest.ts';
import { EDITOR_READY_MARK, TYPES_READY_MARK } from '../src/workspace/performance-marks.ts';

const RUNS = 3;
const BUDGET_GZIP_BYTES = 3 * 2 ** 20;

interface Sample {
  fcp: number;
  editor: number;
  requestStart: number;
  requestEnd: number;
  transferred: number;
  typesReady: number;
}

async function measure(browser: Browser, site: RunningSite, throttled: boolean): Promise<Sample> {
  const page = await site.newPage(browser, { viewport: { width: 1440, height: 900 } });
  if (throttled) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: (9e6 / 8) | 0, uploadThroughput: (9e6 / 8) | 0 });
  }
  // The worker fetches the asset; Playwright reports a dedicated worker's requests on its page.
  const asset = page.waitForEvent('requestfinished', {
    predicate: (request) => /\/sandbox\/declarations-[0-9a-f]+\.json\.gz$/.test(request.url()),
    timeout: 300_000,
  });
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, TYPES_READY_MARK, { timeout: 300_000, polling: 100 });
  const request = await asset;
  const [timeOrigin, fcp, editor, typesReady] = await page.evaluate(
    (marks) => [performance.timeOrigin, ...marks.map((name) => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN)],
    ['first-contentful-paint', EDITOR_READY_MARK, TYPES_READY_MARK],
  );
  const timing = request.timing();
  const sample = {
    fcp: fcp!,
    editor: editor!,
    requestStart: timing.startTime - timeOrigin!,
    requestEnd: timing.startTime - timeOrigin! + timing.responseEnd,
    transferred: (await request.sizes()).responseBodySize,
    typesReady: typesReady!,
  };
  await page.context().close();
  return sample;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

const site = await startSite();
const browser = await launchChromium();
let overBudget = false;
try {
  const manifest = (await (await site.fetch('/sandbox/declarations.json')).json()) as DeclarationsManifest;
  console.log(`declarations asset: ${manifest.file}, ${manifest.files} files of ${Object.keys(manifest.packages).length} packages`);
  console.log(`  ${mib(manifest.gzipBytes)} gzip (${mib(manifest.rawBytes)} raw), budget ${mib(BUDGET_GZIP_BYTES)}`);
  if (manifest.gzipBytes > BUDGET_GZIP_BYTES) {
    overBudget = true;
    console.log('  over budget');
  }
  for (const throttled of [false, true]) {
    const samples: Sample[] = [];
    for (let run = 0; run < RUNS; run++) samples.push(await measure(browser, site, throttled));
    const ms = (pick: (sample: Sample) => number) => `${median(samples.map(pick)).toFixed(0)} ms`;
    console.log(`\n${throttled ? 'Throttled (9 Mbit/s, 40 ms RTT)' : 'Loopback'}: median of ${RUNS} runs, from navigation start`);
    console.log('| | when |');
    console.log('|---|---|');
    console.log(`| first contentful paint | ${ms((s) => s.fcp)} |`);
    console.log(`| editor loaded | ${ms((s) => s.editor)} |`);
    console.log(`| declarations requested | ${ms((s) => s.requestStart)} |`);
    console.log(`| declarations received (${mib(median(samples.map((s) => s.transferred)))} over the wire) | ${ms((s) => s.requestEnd)} |`);
    console.log(`| marks are TypeScript's (types ready) | ${ms((s) => s.typesReady)} |`);
    for (const sample of samples) {
      if (!(sample.requestStart > sample.fcp && sample.requestStart > sample.editor)) {
        overBudget = true;
        console.log(`over budget: declarations requested at ${sample.requestStart.toFixed(0)} ms, before first paint or the editor`);
      }
    }
  }
} finally {
  await browser.close();
  await site.stop();
}
if (overBudget) process.exitCode = 1;
