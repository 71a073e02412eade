/**
 * The telemetry store under load: 10,000 and 100,000 spans (in traces of 20 spans, as a busy
 * shop would send), then what the Traces panel asks for on every update: the trace list, a
 * filtered list (a search), and one trace's tree.
 *   node bench/telemetry-store.ts
 */
import type { Span } from '../src/telemetry/model.ts';
import { TelemetryStore } from '../src/telemetry/store.ts';

function spans(count: number): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < count; i++) {
    const trace = Math.floor(i / 20);
    const root = i % 20 === 0;
    out.push({
      traceId: `t${trace}`,
      spanId: `s${i}`,
      parentSpanId: root ? undefined : `s${trace * 20}`,
      name: root ? 'Submit Checkout Form' : 'GET /products',
      op: root ? 'ui.action' : 'http.server',
      status: i % 97 === 0 ? 'internal_error' : 'ok',
      start: trace * 1000 + (i % 20),
      end: trace * 1000 + (i % 20) + 5,
      attributes: root ? { items_at_checkout: i % 7 } : { 'http.response.status_code': 200 },
      service: root ? 'frontend' : 'backend',
      isSegment: root,
    });
  }
  return out;
}

function time<T>(label: string, work: () => T): T {
  const started = performance.now();
  const result = work();
  console.log(`  ${label.padEnd(42)} ${(performance.now() - started).toFixed(1).padStart(8)} ms`);
  return result;
}

for (const count of [10_000, 100_000]) {
  console.log(`${count.toLocaleString('en')} spans`);
  const store = new TelemetryStore({ maxSpans: count });
  const input = spans(count);
  time('add all spans', () => {
    for (const span of input) store.addSpan(span);
  });
  const list = time('list traces (newest first)', () => store.traces());
  time('search items_at_checkout:3 (all spans)', () => store.spans().filter((span) => span.attributes.items_at_checkout === 3).length);
  time(`tree of one trace (${list.length} traces)`, () => store.traceTree(list[0]!.traceId));
}
