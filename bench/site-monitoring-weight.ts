/**
 * What the site's opt-in monitoring (src/site-monitoring/) costs a learner: the lesson page built
 * as it ships (no PUBLIC_SENTRY_DSN) against a copy built with a DSN, both from this checkout.
 * Prints, for the lesson page, the bytes before first paint (HTML and the scripts it loads at once)
 * and all the site's JavaScript, gzip, with the difference; and the first contentful paint of both,
 * median of 5 alternating runs on loopback. Run after `npm run build`:
 *   node bench/site-monitoring-weight.ts
 * Budget: with the DSN unset, no part of the SDK is in the site (the difference is only the DSN's).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../tests/support/chromium.ts';
import { buildSiteCopy } from '../tests/support/site-server.ts';
import { crossOriginIsolationHeaders } from '../src/server/isolation-headers.ts';
import { serveStatic } from '../src/server/static-files.ts';

const LESSON = 'lessons/01-meet-the-storefront/index.html';
const RUNS = 5;

const gz = (path: string) => gzipSync(readFileSync(path)).length;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function weigh(dist: string) {
  const html = readFileSync(join(dist, LESSON), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g)].map((match) => join(dist, match[1]!));
  const allJs = readdirSync(join(dist, '_astro')).filter((name) => name.endsWith('.js'));
  return {
    beforePaint: gz(join(dist, LESSON)) + scripts.reduce((sum, file) => sum + gz(file), 0),
    allJs: allJs.reduce((sum, name) => sum + gz(join(dist, '_astro', name)), 0),
    sdkInSite: allJs.some((name) => readFileSync(join(dist, '_astro', name), 'utf8').includes('__SENTRY__')),
  };
}

async function serve(root: string): Promise<string> {
  const server = createServer((req, res) => void serveStatic(req, res, { root, headers: crossOriginIsolationHeaders }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/${LESSON.replace('index.html', '')}`;
}

const off = fileURLToPath(new URL('../dist/', import.meta.url));
console.log('Building a copy of the site with a DSN…');
const on = buildSiteCopy({ PUBLIC_SENTRY_DSN: 'https://public@example.invalid/1' });
const [a, b] = [weigh(off), weigh(on)];
console.log('| lesson page | monitoring off (as shipped) | monitoring on | added |');
console.log('|---|---|---|---|');
console.log(`| before first paint (HTML + its scripts) | ${kib(a.beforePaint)} | ${kib(b.beforePaint)} | ${kib(b.beforePaint - a.beforePaint)} |`);
console.log(`| all of the site's JavaScript | ${kib(a.allJs)} | ${kib(b.allJs)} | ${kib(b.allJs - a.allJs)} |`);
console.log(`| Sentry SDK in the site | ${a.sdkInSite ? 'yes' : 'no'} | ${b.sdkInSite ? 'yes' : 'no'} | |`);

const browser = await launchChromium();
const urls = { off: await serve(off), on: await serve(on) };
const fcp = { off: [] as number[], on: [] as number[] };
for (let run = 0; run <= RUNS; run++) {
  for (const which of ['off', 'on'] as const) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(urls[which], { waitUntil: 'load' });
    const paint = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          new PerformanceObserver((list) => {
            const fcp = list.getEntriesByName('first-contentful-paint')[0];
            if (fcp) resolve(fcp.startTime);
          }).observe({ type: 'paint', buffered: true });
        }),
    );
    if (run > 0) fcp[which].push(paint); // the first round warms the servers
    await context.close();
  }
}
await browser.close();
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
console.log(`| first contentful paint, median of ${RUNS} | ${median(fcp.off).toFixed(0)} ms | ${median(fcp.on).toFixed(0)} ms | |`);
if (a.sdkInSite) {
  console.log('over budget: the site as shipped (no DSN) contains the Sentry SDK');
  process.exitCode = 1;
}
