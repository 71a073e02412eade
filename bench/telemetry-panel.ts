/**
 * The Telemetry panel under load, in real Chromium: 10,000 spans (500 traces of 20) sent to the
 * sandbox's collector as span v2 envelopes, then how long until the panel lists them, how long a
 * search takes to narrow the list, and how long opening one trace takes. Run after `npm run build`:
 *   node bench/telemetry-panel.ts
 */
import { randomBytes } from 'node:crypto';
import { launchChromium } from '../tests/support/chromium.ts';
import { startSite } from '../tests/support/site-server.ts';
import { waitForBoot } from '../tests/support/workspace-page.ts';
import { COLLECTOR_URL } from '../src/sandbox/shop.ts';

const TRACES = 500;
const SPANS_PER_TRACE = 20;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

function envelope(): string {
  const traceId = hex(16);
  const rootId = hex(8);
  const now = Date.now() / 1000;
  const items = Array.from({ length: SPANS_PER_TRACE }, (_, i) => ({
    trace_id: traceId,
    span_id: i === 0 ? rootId : hex(8),
    parent_span_id: i === 0 ? undefined : rootId,
    name: i === 0 ? 'Submit Checkout Form' : `GET /products/${i}`,
    start_timestamp: now + i * 0.001,
    end_timestamp: now + i * 0.001 + 0.005,
    is_segment: i === 0,
    status: 'ok',
    attributes: { 'sentry.op': { value: i === 0 ? 'ui.action' : 'http.server', type: 'string' }, items_at_checkout: { value: i % 5, type: 'integer' } },
  }));
  const header = '{"sdk":{"name":"sentry.javascript.node"}}';
  const itemHeader = JSON.stringify({ type: 'span', item_count: items.length, content_type: 'application/vnd.sentry.items.span.v2+json' });
  return `${header}\n${itemHeader}\n${JSON.stringify({ version: 2, items })}\n`;
}

const site = await startSite();
const browser = await launchChromium();
try {
  const page = await site.newPage(browser, { viewport: { width: 1440, height: 960 } });
  await page.goto(`${site.url}/lessons/01-meet-the-storefront/?runtime=local`);
  await waitForBoot(page);
  await page.getByRole('tab', { name: 'Telemetry' }).click();
  const started = performance.now();
  for (let i = 0; i < TRACES; i += 25) {
    await Promise.all(Array.from({ length: 25 }, () => fetch(`${COLLECTOR_URL}/api/1/envelope/`, { method: 'POST', body: envelope() })));
  }
  const sent = performance.now();
  await page.waitForFunction((n) => document.querySelectorAll('.telemetry-table tbody tr').length >= n, 300, { timeout: 60_000, polling: 'raf' });
  const listed = performance.now();
  const search = page.getByRole('searchbox', { name: 'Search spans and issues' });
  const beforeSearch = performance.now();
  await search.fill('items_at_checkout:3');
  await page.waitForFunction(() => document.querySelectorAll('.telemetry-table tbody tr').length > 0, null, { polling: 'raf' });
  const searched = performance.now();
  await search.fill('');
  const beforeOpen = performance.now();
  await page.locator('.telemetry-table tbody tr').first().getByRole('button').click();
  await page
    .locator('.waterfall-rows li')
    .nth(SPANS_PER_TRACE - 1)
    .waitFor();
  const opened = performance.now();
  const scroll = await page.evaluate(async () => {
    const body = document.querySelector('.telemetry-body')!;
    const frames: number[] = [];
    let last = performance.now();
    for (let i = 0; i < 30; i++) {
      body.scrollTop = i * 200;
      await new Promise(requestAnimationFrame);
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    return Math.max(...frames);
  });
  console.log(
    `${TRACES * SPANS_PER_TRACE} spans sent in ${(sent - started).toFixed(0)} ms; listed ${(listed - started).toFixed(0)} ms after the first was sent`,
  );
  console.log(`search "items_at_checkout:3" over all spans: ${(searched - beforeSearch).toFixed(0)} ms to the narrowed list (includes typing)`);
  console.log(`open one trace's waterfall: ${(opened - beforeOpen).toFixed(0)} ms; longest frame while scrolling: ${scroll.toFixed(0)} ms`);
} finally {
  await browser.close();
  await site.stop();
}
