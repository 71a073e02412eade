/**
 * The span query engine under load: 100,000 spans spread over an hour (checkout form spans with
 * items_at_checkout, server spans with http.route, client fetches and database queries), then the
 * queries a metrics panel or an alert rule runs, each 20 times after a warm-up. Prints the median
 * and the slowest run; exits 1 if any median is over the 100 ms budget.
 *   node bench/span-query.ts
 */
import type { Span } from '../src/telemetry/model.ts';
import { describeQuery, runQuery, type QueryWindow, type SpanQuery } from '../src/telemetry/query.ts';

const COUNT = 100_000;
const HOUR = 3_600_000;
const BUDGET_MS = 100;
const RUNS = 20;
const WARM_UP = 5;

/** A small seeded generator, so every run measures the same spans. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ROUTES = ['/api/products', '/api/products/:id', '/api/cart', '/api/checkout', '/api/orders', '/api/orders/:id', '/health'];
const STATUSES = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'internal_error', 'not_found', 'deadline_exceeded'];

function spans(count: number, start: number): Span[] {
  const next = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const out: Span[] = [];
  for (let i = 0; i < count; i++) {
    const t = start + next() * HOUR;
    const kind = i % 10;
    const base = { traceId: `t${Math.floor(i / 10)}`, spanId: `s${i}`, start: t, status: pick(STATUSES) };
    if (kind === 0) {
      out.push({
        ...base,
        name: 'Submit Checkout Form',
        op: 'ui.action',
        end: t + 50 + next() * 400,
        attributes: { items_at_checkout: Math.floor(next() * 5) },
        service: 'frontend',
        sdk: 'sentry.javascript.browser',
        isSegment: true,
      });
    } else if (kind <= 5) {
      const route = pick(ROUTES);
      const method = route === '/api/checkout' ? 'POST' : 'GET';
      out.push({
        ...base,
        parentSpanId: `s${i - kind}`,
        name: `${method} ${route}`,
        op: 'http.server',
        end: t + 5 + next() * next() * 800,
        attributes: { 'http.route': route, 'http.request.method': method, 'http.response.status_code': base.status === 'ok' ? 200 : 500 },
        service: 'backend',
        sdk: 'sentry.javascript.node',
        isSegment: true,
      });
    } else if (kind <= 7) {
      out.push({
        ...base,
        parentSpanId: `s${i - kind}`,
        name: `GET ${pick(ROUTES)}`,
        op: 'http.client',
        end: t + 10 + next() * 900,
        attributes: { 'http.response.status_code': 200 },
        service: 'frontend',
        sdk: 'sentry.javascript.browser',
        isSegment: false,
      });
    } else {
      out.push({
        ...base,
        parentSpanId: `s${i - kind}`,
        name: 'SELECT products',
        op: 'db',
        end: t + next() * 40,
        attributes: { 'db.system': 'sqlite' },
        service: 'backend',
        sdk: 'sentry.javascript.node',
        isSegment: false,
      });
    }
  }
  return out;
}

function measure(work: () => unknown): { median: number; max: number } {
  for (let i = 0; i < WARM_UP; i++) work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: (times[(RUNS - 1) >> 1]! + times[RUNS >> 1]!) / 2, max: times[RUNS - 1]! };
}

const start = Date.UTC(2025, 0, 1, 12);
const input = spans(COUNT, start);
const window: QueryWindow = { start, end: start + HOUR, bucketMs: HOUR / 60 };
const queries: SpanQuery[] = [
  { filter: '', aggregate: 'count' },
  { filter: 'span.name:"Submit Checkout Form" items_at_checkout:>=0', aggregate: 'avg', field: 'items_at_checkout' },
  { filter: '', aggregate: 'p95', field: 'span.duration', groupBy: 'http.route' },
  { filter: 'span.op:http.*', aggregate: 'count', groupBy: 'span.status' },
];

console.log(`${COUNT.toLocaleString('en')} spans over 1 hour, 60 buckets; median and max of ${RUNS} runs (budget ${BUDGET_MS} ms)`);
const labels = queries.map((query) => {
  const result = runQuery(input, query, window);
  return `${describeQuery(query)} [${result.matched.toLocaleString('en')} spans, ${result.series.length} series]`;
});
const width = Math.max(...labels.map((label) => label.length));
let over = false;
for (const [i, query] of queries.entries()) {
  const { median, max } = measure(() => runQuery(input, query, window));
  if (median > BUDGET_MS) over = true;
  console.log(
    `  ${labels[i]!.padEnd(width)} ${median.toFixed(1).padStart(7)} ms  max ${max.toFixed(1).padStart(6)} ms${median > BUDGET_MS ? '  OVER BUDGET' : ''}`,
  );
}
if (over) {
  console.error(`A query's median is over the ${BUDGET_MS} ms budget.`);
  process.exit(1);
}
