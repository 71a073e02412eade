import { describe, expect, test } from 'vitest';
import type { Span } from '../../src/telemetry/model.ts';
import { describeQuery, fieldValue, parseFilter, QueryError, runQuery, type SpanQuery } from '../../src/telemetry/query.ts';

let nextId = 0;
const span = (extra: Partial<Span> = {}): Span => ({
  traceId: 't1',
  spanId: `s${nextId++}`,
  name: 'GET /products',
  op: 'http.server',
  status: 'ok',
  start: 1000,
  end: 1010,
  attributes: {},
  service: 'backend',
  isSegment: false,
  ...extra,
});

/** The span the storefront's checkout form sends through @sentry/browser, as normalise.ts shapes it. */
const checkoutSpan = (items: number, start: number, extra: Partial<Span> = {}): Span =>
  span({
    traceId: `trace-${start}`,
    name: 'Submit Checkout Form',
    op: 'ui.action',
    start,
    end: start + 120,
    service: 'frontend',
    sdk: 'sentry.javascript.browser',
    isSegment: true,
    attributes: { items_at_checkout: items, 'sentry.origin': 'manual' },
    ...extra,
  });

function which(filter: string, spans: Span[]): string[] {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(`unexpected parse error: ${parsed.error}`);
  return spans.filter(parsed.matches).map((s) => s.name);
}

function parseError(filter: string): { error: string; position: number } {
  const parsed = parseFilter(filter);
  if (parsed.ok) throw new Error(`expected "${filter}" to be rejected`);
  return { error: parsed.error, position: parsed.position };
}

describe('parseFilter: syntax errors', () => {
  test('an unterminated quote is reported at the opening quote', () => {
    const { error, position } = parseError('span.op:ui.action span.name:"Submit Checkout');
    expect(position).toBe(28);
    expect(error).toMatch(/unterminated quote/i);
  });

  test('an unterminated bare phrase is reported at its quote', () => {
    expect(parseError('  "checkout').position).toBe(2);
  });

  test('key: with no value names the key and points after the colon', () => {
    const { error, position } = parseError('span.op:http.server items_at_checkout:');
    expect(error).toContain('items_at_checkout:');
    expect(error).toMatch(/missing value/i);
    expect(position).toBe(38);
    expect(parseError('a: b:1').position).toBe(2);
  });

  test('a comparison needs a number', () => {
    const { error, position } = parseError('items_at_checkout:>many');
    expect(error).toContain('"many"');
    expect(error).toMatch(/expected a number/i);
    expect(position).toBe(19);
    expect(parseError('items_at_checkout:>=').error).toMatch(/missing number/i);
    // Units are only for durations.
    expect(parseError('items_at_checkout:>5ms').error).toMatch(/expected a number/i);
    expect(parseError('span.duration:>5parsecs').error).toMatch(/expected a number/i);
  });

  test('an unterminated or malformed list is reported', () => {
    expect(parseError('span.status:[ok,error').error).toMatch(/unterminated list/i);
    expect(parseError('span.status:[ok,error').position).toBe(12);
    expect(parseError('span.status:[]').error).toMatch(/empty list/i);
    expect(parseError('span.status:[ok,,error]').error).toMatch(/empty item/i);
  });

  test('other mistakes', () => {
    expect(parseError(':value').error).toMatch(/missing field name/i);
    expect(parseError('!').error).toMatch(/nothing after "!"/i);
    expect(parseError('span.name:"a"b').position).toBe(13);
  });

  test('an empty or blank filter matches everything', () => {
    const spans = [span(), checkoutSpan(0, 5)];
    expect(which('', spans)).toHaveLength(2);
    expect(which('   ', spans)).toHaveLength(2);
  });
});

describe('parseFilter: operators', () => {
  const spans = [
    span({ name: 'GET /products', op: 'http.server', attributes: { 'http.route': '/products', 'http.response.status_code': 200 } }),
    span({ name: 'GET /cart', op: 'http.client', service: 'frontend', attributes: { 'http.response.status_code': 500 }, status: 'internal_error' }),
    span({ name: 'db.query products', op: 'db', start: 1000, end: 1350, attributes: { 'db.system': 'sqlite', rows: '12' } }),
    checkoutSpan(3, 1000),
    checkoutSpan(0, 2000, { name: 'Submit Checkout Form (retry)', attributes: { items_at_checkout: 0, tags: ['retry', 'mobile'] } }),
  ];

  test('key:value is exact and case-sensitive', () => {
    expect(which('span.op:db', spans)).toEqual(['db.query products']);
    expect(which('span.op:DB', spans)).toEqual([]);
    expect(which('span.op:http', spans)).toEqual([]);
    expect(which('service:frontend', spans)).toEqual(['GET /cart', 'Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('items_at_checkout:3', spans)).toEqual(['Submit Checkout Form']);
    expect(which('is_segment:true', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
  });

  test('quoted values keep their spaces', () => {
    expect(which('span.name:"Submit Checkout Form"', spans)).toEqual(['Submit Checkout Form']);
    expect(which('span.name:"Submit Checkout"', spans)).toEqual([]);
    expect(which('span.name:"say \\"hi\\""', [span({ name: 'say "hi"' })])).toEqual(['say "hi"']);
  });

  test('* is a wildcard inside a value', () => {
    expect(which('span.op:http.*', spans)).toEqual(['GET /products', 'GET /cart']);
    expect(which('span.name:*Checkout*', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('span.name:"Submit * Form"', spans)).toEqual(['Submit Checkout Form']);
    // Regex characters in a value are literal.
    expect(which('span.op:http.serve?', spans)).toEqual([]);
  });

  test('!key:value negates, and also matches spans without the key', () => {
    expect(which('!span.op:http.*', spans)).toEqual(['db.query products', 'Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('!items_at_checkout:0', spans)).toEqual(['GET /products', 'GET /cart', 'db.query products', 'Submit Checkout Form']);
  });

  test('numeric comparisons', () => {
    expect(which('items_at_checkout:>0', spans)).toEqual(['Submit Checkout Form']);
    expect(which('items_at_checkout:>=0', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('items_at_checkout:<3', spans)).toEqual(['Submit Checkout Form (retry)']);
    expect(which('items_at_checkout:<=3', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('http.response.status_code:>=500', spans)).toEqual(['GET /cart']);
    expect(which('items_at_checkout:>-1.5', spans)).toHaveLength(2);
    // A numeric string counts as a number; a non-numeric value never satisfies a comparison.
    expect(which('rows:>10', spans)).toEqual(['db.query products']);
    expect(which('span.name:>0', spans)).toEqual([]);
  });

  test('span.duration takes ms and s units', () => {
    expect(which('span.duration:>200ms', spans)).toEqual(['db.query products']);
    expect(which('span.duration:>200', spans)).toEqual(['db.query products']);
    expect(which('span.duration:<0.1s', spans)).toEqual(['GET /products', 'GET /cart']);
    expect(which('span.duration:>=0.35s', spans)).toEqual(['db.query products']);
    expect(which('span.duration:120ms', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
  });

  test('in-list, with quoted items and wildcards', () => {
    expect(which('span.op:[db,ui.action]', spans)).toEqual(['db.query products', 'Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('span.name:["GET /cart", "db.query products"]', spans)).toEqual(['GET /cart', 'db.query products']);
    expect(which('span.op:[http.*]', spans)).toEqual(['GET /products', 'GET /cart']);
    expect(which('items_at_checkout:[0,1,2]', spans)).toEqual(['Submit Checkout Form (retry)']);
    expect(which('!span.status:[ok]', spans)).toEqual(['GET /cart']);
  });

  test('has: and !has:', () => {
    expect(which('has:items_at_checkout', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('has:http.route', spans)).toEqual(['GET /products']);
    expect(which('!has:http.response.status_code', spans)).toEqual(['db.query products', 'Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('has:sdk', spans)).toHaveLength(2);
  });

  test('array attributes match when any element does', () => {
    expect(which('tags:mobile', spans)).toEqual(['Submit Checkout Form (retry)']);
    expect(which('tags:[desktop,retry]', spans)).toEqual(['Submit Checkout Form (retry)']);
  });

  test('a bare word or quoted phrase is a case-insensitive substring of the name', () => {
    expect(which('checkout', spans)).toEqual(['Submit Checkout Form', 'Submit Checkout Form (retry)']);
    expect(which('"checkout form (retry)"', spans)).toEqual(['Submit Checkout Form (retry)']);
    expect(which('!checkout', spans)).toEqual(['GET /products', 'GET /cart', 'db.query products']);
    expect(which('(retry)', spans)).toEqual(['Submit Checkout Form (retry)']);
  });

  test('terms are ANDed', () => {
    expect(which('service:frontend span.op:http.* http.response.status_code:>=500', spans)).toEqual(['GET /cart']);
    expect(which('checkout items_at_checkout:>0', spans)).toEqual(['Submit Checkout Form']);
    expect(which('checkout items_at_checkout:>5', spans)).toEqual([]);
  });
});

describe('fieldValue', () => {
  test('known fields, attributes and the span. fallback', () => {
    const s = checkoutSpan(3, 1000, { attributes: { items_at_checkout: 3, 'span.custom': 'x' } });
    expect(fieldValue(s, 'span.name')).toBe('Submit Checkout Form');
    expect(fieldValue(s, 'span.op')).toBe('ui.action');
    expect(fieldValue(s, 'span.status')).toBe('ok');
    expect(fieldValue(s, 'span.duration')).toBe(120);
    expect(fieldValue(s, 'service')).toBe('frontend');
    expect(fieldValue(s, 'trace')).toBe('trace-1000');
    expect(fieldValue(s, 'sdk')).toBe('sentry.javascript.browser');
    expect(fieldValue(s, 'is_segment')).toBe(true);
    expect(fieldValue(s, 'items_at_checkout')).toBe(3);
    expect(fieldValue(s, 'span.items_at_checkout')).toBe(3);
    expect(fieldValue(s, 'span.custom')).toBe('x');
    expect(fieldValue(s, 'nope')).toBeUndefined();
  });
});

describe('runQuery: aggregates', () => {
  const window = { start: 0, end: 1000, bucketMs: 1000 };
  // Durations 10, 20, ... 100 ms, plus one span with no numeric value.
  const spans = [
    ...Array.from({ length: 10 }, (_, i) => span({ start: 100 + i, end: 100 + i + (i + 1) * 10, attributes: { n: String(i + 1) } })),
    span({ start: 500, end: 500, attributes: { n: 'n/a' } }),
  ];
  const total = (query: Partial<SpanQuery>) => runQuery(spans, { filter: '', aggregate: 'count', ...query }, window).series[0]!.total;

  test('count counts every matching span, numeric or not', () => {
    expect(total({ aggregate: 'count' })).toBe(11);
    expect(total({ aggregate: 'count', filter: 'span.duration:>50' })).toBe(5);
    expect(total({ aggregate: 'count', filter: 'span.op:none' })).toBe(0);
  });

  test('sum, avg, min, max skip non-numeric values', () => {
    expect(total({ aggregate: 'sum', field: 'n' })).toBe(55);
    expect(total({ aggregate: 'avg', field: 'n' })).toBe(5.5);
    expect(total({ aggregate: 'min', field: 'n' })).toBe(1);
    expect(total({ aggregate: 'max', field: 'n' })).toBe(10);
    expect(total({ aggregate: 'avg', field: 'span.duration', filter: 'span.duration:>0' })).toBe(55);
    expect(total({ aggregate: 'avg', field: 'span.duration' })).toBe(50); // 550 / 11, the zero-length span counts
  });

  test('percentiles interpolate linearly between closest ranks', () => {
    // 10, 20, ..., 100: h = 9p, so p50 = 55, p75 = 77.5, p95 = 95.5, p99 = 99.1.
    const q = (aggregate: SpanQuery['aggregate']) => total({ aggregate, field: 'span.duration', filter: 'span.duration:>0' });
    expect(q('p50')).toBe(55);
    expect(q('p75')).toBeCloseTo(77.5, 10);
    expect(q('p95')).toBeCloseTo(95.5, 10);
    expect(q('p99')).toBeCloseTo(99.1, 10);
    // Odd count: the median is the middle value; one value is every percentile.
    expect(
      runQuery(
        [1, 9, 5].map((d) => span({ start: 0, end: d })),
        { filter: '', aggregate: 'p50', field: 'span.duration' },
        window,
      ).series[0]!.total,
    ).toBe(5);
    expect(runQuery([span({ start: 0, end: 7 })], { filter: '', aggregate: 'p99', field: 'span.duration' }, window).series[0]!.total).toBe(7);
  });

  test('percentiles are right on shuffled data with duplicates', () => {
    const durations = Array.from({ length: 1001 }, (_, i) => i % 100);
    const shuffled = durations.map((d, i) => ({ d, k: (i * 7919) % 1001 })).sort((a, b) => a.k - b.k);
    const input = shuffled.map(({ d }, i) => span({ start: i % 1000, end: (i % 1000) + d }));
    const sorted = [...durations].sort((a, b) => a - b);
    const expected = (p: number) => {
      const h = (sorted.length - 1) * p;
      const lo = Math.floor(h);
      return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
    };
    for (const [fn, p] of [
      ['p50', 0.5],
      ['p75', 0.75],
      ['p95', 0.95],
      ['p99', 0.99],
    ] as const) {
      expect(runQuery(input, { filter: '', aggregate: fn, field: 'span.duration' }, window).series[0]!.total).toBeCloseTo(expected(p), 10);
    }
  });

  test('a field with no numeric values gives null, count gives 0', () => {
    expect(total({ aggregate: 'avg', field: 'missing' })).toBeNull();
    expect(total({ aggregate: 'p95', field: 'missing' })).toBeNull();
    expect(total({ aggregate: 'sum', field: 'span.name' })).toBeNull();
    expect(runQuery([], { filter: '', aggregate: 'count' }, window)).toEqual({ buckets: [0], series: [{ group: '', values: [0], total: 0 }], matched: 0 });
  });

  test('bad queries throw QueryError with a clear message', () => {
    expect(() => runQuery(spans, { filter: 'span.name:"oops', aggregate: 'count' }, window)).toThrow(QueryError);
    expect(() => runQuery(spans, { filter: 'span.name:"oops', aggregate: 'count' }, window)).toThrow(/unterminated quote/i);
    try {
      runQuery(spans, { filter: 'a:>x', aggregate: 'count' }, window);
      expect.unreachable();
    } catch (error) {
      expect((error as QueryError).position).toBe(3);
    }
    expect(() => runQuery(spans, { filter: '', aggregate: 'avg' }, window)).toThrow(/needs a field/);
    expect(() => runQuery(spans, { filter: '', aggregate: 'median' as never }, window)).toThrow(/unknown aggregate/i);
    expect(() => runQuery(spans, { filter: '', aggregate: 'count' }, { start: 10, end: 10, bucketMs: 1 })).toThrow(QueryError);
    expect(() => runQuery(spans, { filter: '', aggregate: 'count' }, { start: 0, end: 10, bucketMs: 0 })).toThrow(/bucketMs/);
  });
});

describe('runQuery: buckets and window edges', () => {
  test('spans fall in the bucket holding their start; the window is [start, end)', () => {
    const spans = [99, 100, 101, 199, 200, 299, 300, 349, 350, 500].map((start) => span({ start, end: start + start / 10 }));
    const result = runQuery(spans, { filter: '', aggregate: 'count' }, { start: 100, end: 350, bucketMs: 100 });
    expect(result.buckets).toEqual([100, 200, 300]);
    // 99 is before the window, 350 and 500 at/after its end; the last bucket is the partial [300, 350).
    expect(result.series[0]!.values).toEqual([3, 2, 2]);
    expect(result.series[0]!.total).toBe(7);
    expect(result.matched).toBe(7);
  });

  test('per-bucket aggregates, null where a bucket has no values', () => {
    const spans = [checkoutSpan(2, 0), checkoutSpan(4, 500), checkoutSpan(0, 2500), span({ start: 1500 })];
    const result = runQuery(
      spans,
      { filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' },
      { start: 0, end: 3000, bucketMs: 1000 },
    );
    expect(result.series).toEqual([{ group: '', values: [3, null, 0], total: 2 }]);
    expect(result.matched).toBe(3);
    const counts = runQuery(spans, { filter: 'checkout', aggregate: 'count' }, { start: 0, end: 3000, bucketMs: 1000 });
    expect(counts.series[0]!.values).toEqual([2, 0, 1]);
    const p50 = runQuery(spans, { filter: 'checkout', aggregate: 'p50', field: 'items_at_checkout' }, { start: 0, end: 3000, bucketMs: 1000 });
    expect(p50.series[0]!.values).toEqual([3, null, 0]);
    const max = runQuery(spans, { filter: 'checkout', aggregate: 'max', field: 'items_at_checkout' }, { start: 0, end: 3000, bucketMs: 1000 });
    expect(max.series[0]).toEqual({ group: '', values: [4, null, 0], total: 4 });
  });
});

describe('runQuery: groupBy', () => {
  test('groups sorted by span count, missing values as "(none)"', () => {
    const spans = [
      span({ attributes: { 'http.route': '/products' } }),
      span({ attributes: { 'http.route': '/products' } }),
      span({ attributes: { 'http.route': '/products' } }),
      span({ attributes: { 'http.route': '/cart' } }),
      span({ attributes: {} }),
      span({ attributes: {} }),
    ];
    const result = runQuery(spans, { filter: '', aggregate: 'count', groupBy: 'http.route' }, { start: 0, end: 2000, bucketMs: 1000 });
    expect(result.series).toEqual([
      { group: '/products', values: [0, 3], total: 3 },
      { group: '(none)', values: [0, 2], total: 2 },
      { group: '/cart', values: [0, 1], total: 1 },
    ]);
  });

  test('more than 10 groups: the 10 busiest keep their own series, the rest merge into "other"', () => {
    const spans: Span[] = [];
    // Group g has 20 - g spans with durations 1..(20 - g); group 19 has 1.
    for (let g = 0; g < 15; g++) {
      for (let i = 0; i < 20 - g; i++) spans.push(span({ start: i * 10, end: i * 10 + i + 1, status: `status-${String(g).padStart(2, '0')}` }));
    }
    const window = { start: 0, end: 400, bucketMs: 100 };
    const counts = runQuery(spans, { filter: '', aggregate: 'count', groupBy: 'span.status' }, window);
    expect(counts.series.map((s) => s.group)).toEqual([...Array.from({ length: 10 }, (_, g) => `status-${String(g).padStart(2, '0')}`), 'other']);
    expect(counts.series.map((s) => s.total)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10 + 9 + 8 + 7 + 6]);
    expect(counts.series.at(-1)!.values).toEqual([40, 0, 0, 0]);
    expect(counts.matched).toBe(spans.length);
    // The merged group aggregates the merged values, not an average of averages.
    const max = runQuery(spans, { filter: '', aggregate: 'max', field: 'span.duration', groupBy: 'span.status' }, window);
    expect(max.series[0]).toEqual({ group: 'status-00', values: [10, 20, null, null], total: 20 });
    expect(max.series.at(-1)).toEqual({ group: 'other', values: [10, null, null, null], total: 10 });
    const p50 = runQuery(spans, { filter: '', aggregate: 'p50', field: 'span.duration', groupBy: 'span.status' }, window);
    // other: 1..10, 1..9, 1..8, 1..7, 1..6 — 40 values, median between ranks 19 and 20.
    const merged = [10, 9, 8, 7, 6].flatMap((n) => Array.from({ length: n }, (_, i) => i + 1)).sort((a, b) => a - b);
    expect(p50.series.at(-1)!.total).toBe((merged[19]! + merged[20]!) / 2);
    expect(p50.series[0]!.total).toBe(10.5);
  });

  test('exactly 10 groups need no "other"; group values are stringified', () => {
    const spans = Array.from({ length: 10 }, (_, i) => span({ attributes: { code: 200 + i } }));
    const result = runQuery(spans, { filter: '', aggregate: 'count', groupBy: 'code' }, { start: 0, end: 2000, bucketMs: 2000 });
    expect(result.series).toHaveLength(10);
    expect(result.series[0]!.group).toBe('200');
  });

  test('groupBy with nothing matched gives no series', () => {
    expect(runQuery([span()], { filter: 'span.op:nope', aggregate: 'count', groupBy: 'service' }, { start: 0, end: 2000, bucketMs: 1000 }).series).toEqual([]);
  });
});

describe('runQuery on spans shaped like the SDK sends them', () => {
  test('items at checkout per minute, and what the checkout form costs on each side', () => {
    const base = Date.UTC(2025, 0, 1, 12, 0, 0);
    const spans: Span[] = [];
    for (let i = 0; i < 12; i++) {
      const start = base + i * 10_000;
      const items = i < 6 ? 3 : 0;
      const checkout = checkoutSpan(items, start);
      spans.push(checkout);
      spans.push(
        span({
          traceId: checkout.traceId,
          parentSpanId: checkout.spanId,
          name: 'POST /api/checkout',
          op: 'http.server',
          start: start + 10,
          end: start + 90,
          service: 'backend',
          sdk: 'sentry.javascript.node',
          isSegment: true,
          status: items === 0 ? 'internal_error' : 'ok',
          attributes: { 'http.route': '/api/checkout', 'http.request.method': 'POST' },
        }),
      );
    }
    const window = { start: base, end: base + 120_000, bucketMs: 60_000 };
    const query: SpanQuery = { filter: 'span.name:"Submit Checkout Form" items_at_checkout:>=0', aggregate: 'avg', field: 'items_at_checkout' };
    expect(runQuery(spans, query, window)).toEqual({ buckets: [base, base + 60_000], series: [{ group: '', values: [3, 0], total: 1.5 }], matched: 12 });
    expect(describeQuery(query)).toBe('avg(items_at_checkout) where span.name:"Submit Checkout Form" items_at_checkout:>=0');

    const errors = runQuery(spans, { filter: 'span.status:internal_error', aggregate: 'count', groupBy: 'service' }, window);
    expect(errors.series).toEqual([{ group: 'backend', values: [0, 6], total: 6 }]);

    const bySide = runQuery(spans, { filter: 'is_segment:true', aggregate: 'p95', field: 'span.duration', groupBy: 'service' }, window);
    expect(bySide.series.map((s) => [s.group, s.total])).toEqual([
      ['backend', 80],
      ['frontend', 120],
    ]);
  });
});

describe('describeQuery', () => {
  test('reads as Sentry writes it', () => {
    expect(describeQuery({ filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' })).toBe(
      'avg(items_at_checkout) where span.name:"Submit Checkout Form"',
    );
    expect(describeQuery({ filter: '  ', aggregate: 'count' })).toBe('count()');
    expect(describeQuery({ filter: 'span.op:http.*', aggregate: 'p95', field: 'span.duration', groupBy: 'http.route' })).toBe(
      'p95(span.duration) where span.op:http.* by http.route',
    );
  });
});
