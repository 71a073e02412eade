import { describe, expect, test } from 'vitest';
import type { ErrorEvent, Span } from '../../src/telemetry/model.ts';
import { TelemetryStore } from '../../src/telemetry/store.ts';

const span = (spanId: string, parentSpanId: string | undefined, start: number, extra: Partial<Span> = {}): Span => ({
  traceId: 't1',
  spanId,
  parentSpanId,
  name: spanId,
  status: 'ok',
  start,
  end: start + 10,
  attributes: {},
  service: 'frontend',
  isSegment: !parentSpanId,
  ...extra,
});

const error = (value: string, extra: Partial<ErrorEvent> = {}): ErrorEvent => ({
  eventId: Math.random().toString(16).slice(2),
  timestamp: Date.now(),
  type: 'TypeError',
  value,
  frames: [{ filename: 'backend/src/inventory.ts', function: 'listProducts', lineno: 29, inApp: true }],
  service: 'backend',
  level: 'error',
  ...extra,
});

describe('TelemetryStore', () => {
  test('a backend span that arrives before its browser parent is re-parented when the parent comes', () => {
    const store = new TelemetryStore();
    store.addSpan(span('server', 'fetch', 105, { service: 'backend' }));
    expect(store.traceTree('t1').map((node) => node.span.spanId)).toEqual(['server']);
    store.addSpan(span('fetch', 'pageload', 100));
    store.addSpan(span('pageload', undefined, 90));
    const [root] = store.traceTree('t1');
    expect(root!.span.spanId).toBe('pageload');
    expect(root!.children[0]!.span.spanId).toBe('fetch');
    expect(root!.children[0]!.children[0]!.span.spanId).toBe('server');
    expect(store.traces()[0]).toMatchObject({ rootName: 'pageload', spanCount: 3, services: ['backend', 'frontend'] });
  });

  test('errors group into issues by type, message (ids and numbers aside) and top in-app frame', () => {
    const store = new TelemetryStore();
    store.addError(error('Cannot read properties of null (reading 0)', { traceId: 'a' }));
    store.addError(error('Cannot read properties of null (reading 1)', { traceId: 'b' }));
    store.addError(error('Cannot read properties of null (reading 1)', { frames: [{ filename: 'other.ts', function: 'f', inApp: true }] }));
    // The same module served again after a hot reload is the same frame.
    store.addError(
      error('Cannot read properties of null (reading 2)', { frames: [{ filename: 'http://127.0.0.1:5173/src/api.ts?t=1', function: 'g', inApp: true }] }),
    );
    store.addError(
      error('Cannot read properties of null (reading 3)', { frames: [{ filename: 'http://127.0.0.1:5173/src/api.ts?t=2', function: 'g', inApp: true }] }),
    );
    const issues = store.issues();
    expect(issues.map((issue) => issue.count).sort()).toEqual([1, 2, 2]);
    // Two issues count 2 each (listed by last seen, which may tie): pick the inventory one by its frame.
    const inventory = issues.find((issue) => issue.culprit?.file === 'backend/src/inventory.ts' && issue.count === 2);
    expect(inventory!.traceIds).toEqual(['a', 'b']);
    expect(issues.find((issue) => issue.culprit?.file.endsWith('src/api.ts'))!.count).toBe(2);
  });

  test('traces are listed newest first, and errors count against their trace', () => {
    const store = new TelemetryStore();
    store.addSpan(span('old', undefined, 1));
    store.addSpan(span('new', undefined, 1000, { traceId: 't2' }));
    store.addError(error('boom', { traceId: 't2', spanId: 'new' }));
    expect(store.traces().map((trace) => [trace.traceId, trace.errorCount])).toEqual([
      ['t2', 1],
      ['t1', 0],
    ]);
    expect(store.traceTree('t2')[0]!.errors[0]!.value).toBe('boom');
  });

  test("a trace's newest moment ranks it: a page visit whose shopper orders later comes back on top, its root's op named", () => {
    const store = new TelemetryStore();
    store.addSpan(span('pageload', undefined, 100, { traceId: 'visit', op: 'pageload', name: '/' }));
    store.addSpan(span('server', undefined, 500, { traceId: 'check', op: 'http.server' }));
    expect(store.traces().map((trace) => trace.traceId)).toEqual(['check', 'visit']);
    store.addSpan(span('checkout', undefined, 900, { traceId: 'visit', op: 'ui.action', name: 'Submit Checkout Form' }));
    const [first] = store.traces();
    expect(first).toMatchObject({ traceId: 'visit', rootName: '/', rootOp: 'pageload', start: 100, end: 910, spanCount: 2 });
  });

  test('listeners hear once per burst, not once per span', async () => {
    const store = new TelemetryStore();
    let calls = 0;
    store.subscribe(() => calls++);
    for (let i = 0; i < 10_000; i++) store.addSpan(span(`s${i}`, i ? 's0' : undefined, i, { traceId: `t${i % 100}` }));
    await Promise.resolve();
    expect(calls).toBe(1);
    expect(store.spanCount).toBe(10_000);
    expect(store.traces()).toHaveLength(100);
  });

  test('memory is capped: the oldest traces go first', () => {
    const store = new TelemetryStore({ maxSpans: 100 });
    for (let i = 0; i < 300; i++) store.addSpan(span(`s${i}`, undefined, i, { traceId: `t${Math.floor(i / 10)}` }));
    expect(store.spanCount).toBeLessThanOrEqual(100);
    expect(store.traces().at(-1)!.traceId).toBe('t20');
  });

  test('spans() follows every change (a new span, a clear) and is not rebuilt while nothing changed', () => {
    const store = new TelemetryStore();
    store.addSpan(span('a', undefined, 0));
    const first = store.spans();
    expect(first.map((s) => s.spanId)).toEqual(['a']);
    expect(store.spans()).toBe(first);
    store.addSpan(span('b', 'a', 1));
    expect(store.spans().map((s) => s.spanId)).toEqual(['a', 'b']);
    store.clear();
    expect(store.spans()).toEqual([]);
  });

  test('a malformed envelope is kept as a rejection with its reason; the next one still counts', () => {
    const store = new TelemetryStore();
    expect(store.addEnvelope('nope')).toEqual({ ok: false, error: 'envelope header is not a JSON object' });
    expect(store.addEnvelope('{}\n{"type":"event"}\n{"message":"ok"}\n')).toEqual({ ok: true });
    expect(store.rejected()).toHaveLength(1);
    expect(store.issues()).toHaveLength(1);
  });
});
