// Judges the saved dashboard (monitoring/dashboards.json) by what its widgets' queries do, through
// the telemetry engine the Dashboard panel runs: each is compared, on spans of the kinds the shop
// records (sample-spans.ts), with the widget the lesson asks for. Wording does not matter.
import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import type { Span } from './telemetry-engine/model.ts';
import { DASHBOARDS_FILE, parseDashboards, type Widget } from './telemetry-engine/monitoring.ts';
import { compileFilter, fieldValue, runQuery } from './telemetry-engine/query.ts';
import { checkouts, failedRequests, sampleSpans } from './sample-spans.ts';
import { recorded, runShoppers } from './telemetry.ts';

// Shoppers check out while the dashboard is judged; the last check charts their checkouts.
const shoppers = runShoppers(4);
shoppers.catch(() => undefined);

async function widgets(): Promise<Widget[]> {
  const text = await readFile(DASHBOARDS_FILE, 'utf8').catch(() => undefined);
  if (text === undefined) throw new Error(`There is no ${DASHBOARDS_FILE} yet. In Telemetry → Explore, build each query and press "Add to dashboard".`);
  const dashboards = parseDashboards(text);
  if (!dashboards.ok) throw new Error(dashboards.error);
  return dashboards.value.flatMap((board) => board.widgets);
}

const ids = (spans: Span[]) =>
  spans
    .map((s) => s.spanId)
    .sort()
    .join();
/** The sample spans the widget's search keeps. */
const selected = (widget: Widget) => sampleSpans.filter(compileFilter(widget.query.filter));
const selectsExactly = (widget: Widget, spans: Span[]) => ids(selected(widget)) === ids(spans);
/** The widget's field reads `value` on every one of `spans` (span.items_at_checkout and items_at_checkout both do). */
const reads = (widget: Widget, spans: Span[], value: (span: Span) => unknown) =>
  widget.query.field !== undefined && spans.every((s) => fieldValue(s, widget.query.field!) === value(s));

const items = (s: Span) => s.attributes.items_at_checkout;
const duration = (s: Span) => s.end - s.start;

function describe(widget: Widget): string {
  const q = widget.query;
  return `"${widget.title}": ${q.aggregate}(${q.field ?? ''}) where ${q.filter || '(everything)'}${q.groupBy ? ` by ${q.groupBy}` : ''}`;
}
const found = (all: Widget[]) => (all.length ? `The dashboard has ${all.map(describe).join('; ')}.` : 'The dashboard has no widgets yet.');

async function itemsWidget(): Promise<Widget | undefined> {
  return (await widgets()).find((w) => selectsExactly(w, checkouts) && w.query.aggregate !== 'count' && reads(w, checkouts, items));
}

test('the dashboard has a widget on items_at_checkout of the "Submit Checkout Form" spans', async () => {
  expect(
    await itemsWidget(),
    `No widget aggregates items_at_checkout over exactly the "Submit Checkout Form" spans. In Explore: search span.name:"Submit Checkout Form", ` +
      `Aggregate avg, Of items_at_checkout, then "Add to dashboard". ${found(await widgets())}`,
  ).toBeDefined();
});

test('the dashboard counts the backend requests that failed, by endpoint', async () => {
  // Grouped as by span.name: the same requests end up together (http.route would do as well).
  const groupsLikeEndpoints = (w: Widget) => {
    const key = (s: Span) => `${fieldValue(s, w.query.groupBy ?? '')}`;
    const pairs = new Set(failedRequests.map((s) => `${key(s)}→${s.name}`));
    return (
      w.query.groupBy !== undefined && new Set(failedRequests.map(key)).size === pairs.size && pairs.size === new Set(failedRequests.map((s) => s.name)).size
    );
  };
  const widget = (await widgets()).find((w) => w.query.aggregate === 'count' && selectsExactly(w, failedRequests) && groupsLikeEndpoints(w));
  expect(
    widget,
    `No widget counts exactly the backend requests that did not end well, grouped by endpoint. In Explore: search span.op:http.server !span.status:ok, ` +
      `Aggregate count, Group by span.name. ${found(await widgets())}`,
  ).toBeDefined();
});

test('the dashboard has the p95 duration of the checkout', async () => {
  const onCheckoutDuration = (await widgets()).filter((w) => selectsExactly(w, checkouts) && reads(w, checkouts, duration));
  expect(
    onCheckoutDuration.find((w) => w.query.aggregate === 'p95' || w.query.aggregate === 'p99'),
    `No widget shows the p95 of span.duration over the "Submit Checkout Form" spans${onCheckoutDuration.length ? ` (${onCheckoutDuration.map(describe).join('; ')}: an average hides the slow few)` : ''}. In Explore: search span.name:"Submit Checkout Form", Aggregate p95, Of span.duration. ${found(await widgets())}`,
  ).toBeDefined();
});

test("the items widget's query returns a series above zero from the shoppers' checkouts", async () => {
  const widget = await itemsWidget();
  expect(widget, 'First add the widget on items_at_checkout (see above).').toBeDefined();
  await shoppers;
  const end = Date.now() + 1000;
  const { spans } = await recorded();
  const result = runQuery(spans, widget!.query, { start: end - 5 * 60_000, end, bucketMs: 10_000 });
  const values = result.series.flatMap((series) => series.values).filter((value): value is number => value !== null);
  expect(
    values.length,
    `The widget's query (${widget!.query.filter}) matched none of the shoppers' checkouts. Is the shop running? Shop output shows the shoppers' errors.`,
  ).toBeGreaterThan(0);
  expect(Math.max(...values), 'Every checkout in the series has 0 items: the shoppers could not fill their carts.').toBeGreaterThan(0);
});
