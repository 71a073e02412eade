/**
 * Envelope items → the model. Span v2 items (streamed, SDK v11's default) carry typed attributes;
 * transaction events (`traceLifecycle: 'static'`, older SDKs) carry a root span in
 * `contexts.trace` and children in `spans`. Both end up as the same Span.
 */
import { itemJson, type Envelope } from './envelope.ts';
import { serviceOf, type AttributeValue, type ErrorEvent, type Service, type Span, type StackFrame, type Telemetry } from './model.ts';

// biome-ignore lint/suspicious/noExplicitAny: SDK payloads are untyped JSON, read defensively field by field below.
type Json = Record<string, any>;

const seconds = (value: unknown) => (typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : NaN);

/** `{"value": 3, "type": "integer"}` → 3; plain values pass through. */
function attributeValue(raw: unknown): AttributeValue {
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'value' in raw) return (raw as { value: AttributeValue }).value;
  return raw as AttributeValue;
}

function attributes(raw: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (raw && typeof raw === 'object') for (const [key, value] of Object.entries(raw)) out[key] = attributeValue(value);
  return out;
}

const statusOf = (status: unknown) => (typeof status === 'string' ? (status === 'unknown' ? 'ok' : status) : 'ok');

function streamedSpan(raw: Json, service: Service, sdk?: string): Span | null {
  if (typeof raw.trace_id !== 'string' || typeof raw.span_id !== 'string') return null;
  const attrs = attributes(raw.attributes);
  const start = seconds(raw.start_timestamp);
  return {
    traceId: raw.trace_id,
    spanId: raw.span_id,
    parentSpanId: typeof raw.parent_span_id === 'string' ? raw.parent_span_id : undefined,
    name: String(raw.name ?? attrs['sentry.op'] ?? '(unnamed)'),
    op: typeof attrs['sentry.op'] === 'string' ? attrs['sentry.op'] : undefined,
    status: statusOf(raw.status),
    start,
    end: Number.isFinite(seconds(raw.end_timestamp)) ? seconds(raw.end_timestamp) : start,
    attributes: attrs,
    service:
      serviceOf(attrs['sentry.sdk.name'] ?? sdk, attrs['sentry.environment']) === 'other'
        ? service
        : serviceOf(attrs['sentry.sdk.name'] ?? sdk, attrs['sentry.environment']),
    sdk: typeof attrs['sentry.sdk.name'] === 'string' ? attrs['sentry.sdk.name'] : sdk,
    isSegment: raw.is_segment === true,
  };
}

function transactionSpans(event: Json, service: Service, sdk?: string): Span[] {
  const trace = event.contexts?.trace as Json | undefined;
  if (!trace?.trace_id || !trace.span_id) return [];
  const root: Span = {
    traceId: trace.trace_id,
    spanId: trace.span_id,
    parentSpanId: trace.parent_span_id,
    name: String(event.transaction ?? '(transaction)'),
    op: trace.op,
    status: statusOf(trace.status),
    start: seconds(event.start_timestamp),
    end: seconds(event.timestamp),
    attributes: { ...attributes(trace.data), ...attributes(event.tags) },
    service,
    sdk,
    isSegment: true,
  };
  const children = (Array.isArray(event.spans) ? event.spans : []).map(
    (span: Json): Span => ({
      traceId: span.trace_id ?? root.traceId,
      spanId: span.span_id,
      parentSpanId: span.parent_span_id,
      name: String(span.description ?? span.op ?? '(span)'),
      op: span.op,
      status: statusOf(span.status),
      start: seconds(span.start_timestamp),
      end: seconds(span.timestamp),
      attributes: attributes(span.data),
      service,
      sdk,
      isSegment: false,
    }),
  );
  return [root, ...children];
}

function frames(raw: unknown): StackFrame[] {
  if (!Array.isArray(raw)) return [];
  // Sentry sends the outermost frame first; readers want the innermost (where it threw) first.
  return raw
    .map(
      (frame: Json): StackFrame => ({
        filename: frame.filename ?? frame.abs_path,
        function: frame.function,
        lineno: frame.lineno,
        colno: frame.colno,
        inApp: frame.in_app === true,
        preContext: frame.pre_context,
        contextLine: frame.context_line,
        postContext: frame.post_context,
      }),
    )
    .reverse();
}

function errorEvent(event: Json, service: Service, fallbackId: string, sdk?: string): ErrorEvent | null {
  const values: Json[] = event.exception?.values ?? [];
  // The last exception in the list is the one that was thrown last (the outermost cause).
  const exception = values.at(-1);
  const message = typeof event.message === 'string' ? event.message : (event.message?.formatted ?? event.logentry?.formatted);
  if (!exception && !message) return null;
  const trace = event.contexts?.trace as Json | undefined;
  return {
    eventId: event.event_id ?? fallbackId,
    timestamp: seconds(event.timestamp),
    type: exception?.type ?? 'Message',
    value: exception?.value ?? message ?? '',
    frames: frames(exception?.stacktrace?.frames),
    traceId: trace?.trace_id,
    spanId: trace?.span_id,
    service,
    ...(sdk ? { sdk } : {}),
    ...(typeof event.contexts?.app?.app_start_time === 'string' ? { appStartTime: event.contexts.app.app_start_time } : {}),
    level: event.level ?? 'error',
    transaction: event.transaction,
  };
}

export function normalise(envelope: Envelope): Telemetry {
  const sdk = (envelope.header.sdk as Json | undefined)?.name as string | undefined;
  const service = serviceOf(sdk);
  const out: Telemetry = { spans: [], errors: [], logs: [], clientReports: [], sessions: [], other: [] };
  for (const item of envelope.items) {
    const type = item.header.type;
    if (type === 'attachment') continue;
    const json = itemJson<Json>(item);
    if (type === 'span' && json && Array.isArray(json.items)) {
      for (const raw of json.items) {
        const span = streamedSpan(raw, service, sdk);
        if (span) out.spans.push(span);
      }
    } else if (type === 'transaction' && json) {
      out.spans.push(...transactionSpans(json, serviceOf(json.sdk?.name ?? sdk, json.environment), json.sdk?.name ?? sdk));
    } else if (type === 'event' && json) {
      const error = errorEvent(json, serviceOf(json.sdk?.name ?? sdk, json.environment), String(envelope.header.event_id ?? ''), json.sdk?.name ?? sdk);
      if (error) out.errors.push(error);
    } else if (type === 'log' && json && Array.isArray(json.items)) {
      for (const log of json.items as Json[]) {
        out.logs.push({
          timestamp: seconds(log.timestamp),
          level: log.level ?? 'info',
          body: String(log.body ?? ''),
          traceId: log.trace_id,
          attributes: attributes(log.attributes),
          service,
        });
      }
    } else if (type === 'client_report' && json) {
      out.clientReports.push(json);
    } else if ((type === 'session' || type === 'sessions') && json) {
      out.sessions.push(json);
    } else {
      out.other.push({ type, payload: item.payload });
    }
  }
  return out;
}
