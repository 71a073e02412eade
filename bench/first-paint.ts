/**
 * First paint of a lesson page against TutorialKit's, in one run: both sites served by the same
 * static server (ours, with gzip and the cross-origin isolation headers), opened in fresh Chromium
 * contexts, alternately, five times each, on loopback and on a throttled link (9 Mbit/s, 40 ms
 * RTT). Prints the medians of first contentful paint, largest contentful paint, and the script
 * bytes (compressed) fetched before first paint and by 3 s, with the ratios.
 * Budget: our FCP at most 0.7× TutorialKit's, on both links.  Run after `npm run build`:
 *   node bench/first-paint.ts
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../tests/support/chromium.ts';
import { crossOriginIsolationHeaders } from '../src/server/isolation-headers.ts';
import { serveStatic } from '../src/server/static-files.ts';
import { TUTORIALKIT_LESSON, tutorialKitReference } from './reference/tutorialkit.ts';

const RUNS = 5;
const BUDGET_RATIO = 0.7;
const OUR_LESSON = '/lessons/01-meet-the-storefront/';

interface Sample {
  fcp: number;
  lcp: number;
  scriptBeforePaint: number;
  scriptBy3s: number;
}

async function serve(root: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => void serveStatic(req, res, { root, headers: crossOriginIsolationHeaders }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function measure(browser: Browser, url: string, throttled: boolean): Promise<Sample> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  if (throttled) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: (9e6 / 8) | 0, uploadThroughput: (9e6 / 8) | 0 });
  }
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(Math.max(0, 3200 - (await page.evaluate(() => performance.now()))));
  const sample = await page.evaluate(async () => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
    const lcp = await new Promise<number>((resolve) => {
      new PerformanceObserver((list) => resolve(list.getEntries().at(-1)?.startTime ?? NaN)).observe({ type: 'largest-contentful-paint', buffered: true });
      setTimeout(() => resolve(NaN), 1000);
    });
    const scripts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((entry) =>
      /\.m?js(\?|$)/.test(new URL(entry.name).pathname),
    );
    const bytes = (until: number) => scripts.filter((entry) => entry.responseEnd <= until).reduce((sum, entry) => sum + entry.encodedBodySize, 0);
    return { fcp, lcp, scriptBeforePaint: bytes(fcp), scriptBy3s: bytes(3000) };
  });
  await context.close();
  return sample;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const ours = await serve(fileURLToPath(new URL('../dist/', import.meta.url)));
const reference = await serve(tutorialKitReference());
const browser = await launchChromium();
let overBudget = false;
try {
  for (const throttled of [false, true]) {
    const samples = { ours: [] as Sample[], tutorialKit: [] as Sample[] };
    await measure(browser, ours.url + OUR_LESSON, throttled); // warm the server's gzip cache
    await measure(browser, reference.url + TUTORIALKIT_LESSON, throttled);
    for (let run = 0; run < RUNS; run++) {
      samples.ours.push(await measure(browser, ours.url + OUR_LESSON, throttled));
      samples.tutorialKit.push(await measure(browser, reference.url + TUTORIALKIT_LESSON, throttled));
    }
    const row = (label: string, pick: (s: Sample) => number, unit: 'ms' | 'KiB') => {
      const [a, b] = [median(samples.ours.map(pick)), median(samples.tutorialKit.map(pick))];
      const show = (v: number) => (unit === 'ms' ? `${v.toFixed(0)} ms` : `${(v / 1024).toFixed(1)} KiB`);
      console.log(`| ${label} | ${show(a)} | ${show(b)} | ${b ? (a / b).toFixed(2) : '—'}× |`);
      return a / b;
    };
    console.log(`\n${throttled ? 'Throttled (9 Mbit/s, 40 ms RTT)' : 'Loopback'}: median of ${RUNS} alternating runs`);
    console.log('| | lesson page | TutorialKit | ratio |');
    console.log('|---|---|---|---|');
    const fcpRatio = row('first contentful paint', (s) => s.fcp, 'ms');
    row('largest contentful paint', (s) => s.lcp, 'ms');
    row('script before first paint (gzip)', (s) => s.scriptBeforePaint, 'KiB');
    row('script by 3 s (gzip)', (s) => s.scriptBy3s, 'KiB');
    if (fcpRatio > BUDGET_RATIO) {
      overBudget = true;
      console.log(`over budget: FCP ratio ${fcpRatio.toFixed(2)} > ${BUDGET_RATIO}`);
    }
  }
} finally {
  await browser.close();
  ours.server.close();
  reference.server.close();
}
if (overBudget) process.exitCode = 1;
