import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { DASHBOARDS_FILE, parseDashboards, type Widget } from './telemetry-engine/monitoring.ts';
import { compileFilter, runQuery } from './telemetry-engine/query.ts';
import type { Span } from './telemetry-engine/model.ts';
import { recorded, runShoppers } from './telemetry.ts';

const sampleCheckout: Span = {
  traceId: '0'.repeat(32),
  spanId: '0'.repeat(16),
  name: 'Submit Checkout Form',
  op: 'ui.action',
  status: 'ok',
  start: 0,
  end: 1,
  attributes: { items_at_checkout: 2 },
  service: 'frontend',
  isSegment: false,
};

async function checkoutWidget(): Promise<Widget | undefined> {
  const text = await readFile(DASHBOARDS_FILE, 'utf8').catch(() => undefined);
  expect(text, `There is no ${DASHBOARDS_FILE} yet. In Telemetry → Explore, build the query and press "Add to dashboard".`).toBeDefined();
  const dashboards = parseDashboards(text);
  if (!dashboards.ok) throw new Error(dashboards.error);
  return dashboards.value
    .flatMap((board) => board.widgets)
    .find((widget) => widget.query.field === 'items_at_checkout' && widget.query.aggregate !== 'count' && compileFilter(widget.query.filter)(sampleCheckout));
}

test('the dashboard has a widget on items_at_checkout of the "Submit Checkout Form" spans', async () => {
  expect(
    await checkoutWidget(),
    'No widget aggregates items_at_checkout over "Submit Checkout Form" spans. In Explore: search span.name:"Submit Checkout Form", Aggregate avg, Of items_at_checkout, then "Add to dashboard".',
  ).toBeDefined();
});

test("the widget's query returns a series above zero from the shoppers' checkouts", async () => {
  const widget = await checkoutWidget();
  expect(widget, 'First add the widget (see above).').toBeDefined();
  await runShoppers(4);
  const end = Date.now() + 1000;
  const { spans } = await recorded();
  const result = runQuery(spans, widget!.query, { start: end - 5 * 60_000, end, bucketMs: 10_000 });
  const values = result.series.flatMap((series) => series.values).filter((value): value is number => value !== null);
  expect(values.length, `The widget's query (${widget!.query.filter}) matched no recorded checkout. Is the shop running? The Terminal shows the shoppers' errors.`).toBeGreaterThan(0);
  expect(Math.max(...values), 'Every checkout in the series has 0 items: the shoppers could not fill their carts.').toBeGreaterThan(0);
});
