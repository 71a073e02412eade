// What the collector recorded in .telemetry/envelopes.ndjson, as spans, for checkpoint tests.
import { readFile } from 'node:fs/promises';

export interface RecordedSpan {
  name: string;
  op?: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  sdk?: string;
  attributes: Record<string, unknown>;
}

const plain = (value: unknown) => (value && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value);

export async function recordedSpans(): Promise<RecordedSpan[]> {
  const text = await readFile('.telemetry/envelopes.ndjson', 'utf8').catch(() => '');
  const spans: RecordedSpan[] = [];
  for (const line of text.split('\n').filter(Boolean)) {
    const envelope = Buffer.from(JSON.parse(line).envelope, 'base64').toString('utf8');
    const [header, ...rest] = envelope.split('\n');
    const sdk = JSON.parse(header!).sdk?.name as string | undefined;
    for (const part of rest) {
      let payload: any;
      try {
        payload = JSON.parse(part);
      } catch {
        continue;
      }
      for (const item of payload?.items ?? []) {
        if (!item.span_id) continue;
        const attributes = Object.fromEntries(Object.entries(item.attributes ?? {}).map(([k, v]) => [k, plain(v)]));
        spans.push({ name: item.name, op: attributes['sentry.op'] as string, traceId: item.trace_id, spanId: item.span_id, parentSpanId: item.parent_span_id, sdk, attributes });
      }
      if (payload?.type === 'transaction' || payload?.contexts?.trace?.span_id) {
        const trace = payload.contexts.trace;
        spans.push({ name: payload.transaction, op: trace.op, traceId: trace.trace_id, spanId: trace.span_id, parentSpanId: trace.parent_span_id, sdk, attributes: trace.data ?? {} });
        for (const span of payload.spans ?? []) spans.push({ name: span.description, op: span.op, traceId: span.trace_id, spanId: span.span_id, parentSpanId: span.parent_span_id, sdk, attributes: span.data ?? {} });
      }
    }
  }
  return spans;
}

/** Polls the recording until `find` returns something, or gives up after `timeoutMs`. */
export async function waitForSpan(find: (spans: RecordedSpan[]) => RecordedSpan | undefined, timeoutMs = 15_000): Promise<RecordedSpan | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find(await recordedSpans());
    if (found || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
