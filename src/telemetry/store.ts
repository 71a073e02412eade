/**
 * Everything the sandbox's SDKs sent, kept for the panels: traces (frontend and backend spans
 * joined by trace id), issues (errors grouped), logs. Listeners hear about changes at most once
 * per microtask, so a burst of 10,000 spans is one re-render, not 10,000.
 */
import { parseEnvelope } from './envelope.ts';
import type { ErrorEvent, LogRecord, Service, Span } from './model.ts';
import { normalise } from './normalise.ts';

export interface TraceSummary {
  traceId: string;
  rootName: string;
  /** The root span's op (`pageload`, `http.server`, `ui.action`…), when it has one. */
  rootOp?: string;
  start: number;
  /** The trace's latest moment: its last span's end, or its last error. */
  end: number;
  duration: number;
  spanCount: number;
  errorCount: number;
  services: Service[];
}

export interface SpanNode {
  span: Span;
  children: SpanNode[];
  /** Errors captured while this span was active. */
  errors: ErrorEvent[];
}

export interface Issue {
  id: string;
  type: string;
  value: string;
  /** Where it was thrown: the top in-app frame's file (no origin, no query) and function. */
  culprit?: { file: string; function?: string };
  service: Service;
  count: number;
  firstSeen: number;
  lastSeen: number;
  traceIds: string[];
  /** The most recent events, newest first. */
  events: ErrorEvent[];
}

interface Trace {
  traceId: string;
  spans: Map<string, Span>;
  errors: ErrorEvent[];
  lastUpdate: number;
}

const MAX_EVENTS_PER_ISSUE = 20;

/** Groups "Cannot read properties of null (reading 'includes')" across ids, numbers and urls. */
/** Vite serves modules as http://host/src/api.ts?t=<hot-reload time>: the same file every time. */
const plainFile = (filename: string | undefined) => (filename ?? '').replace(/[?#].*$/, '').replace(/^[a-z]+:\/\/[^/]+/, '');

export function issueFingerprint(error: ErrorEvent): string {
  const message = error.value
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\b[0-9a-f]{8,}\b/gi, '<id>')
    .replace(/\d+/g, '<n>');
  const top = error.frames.find((frame) => frame.inApp) ?? error.frames[0];
  return [error.type, message, top ? `${plainFile(top.filename)}:${top.function ?? ''}` : ''].join('|');
}

export class TelemetryStore {
  readonly maxSpans: number;
  #traces = new Map<string, Trace>();
  #issues = new Map<string, Issue>();
  #logs: LogRecord[] = [];
  #spanCount = 0;
  #rejected: { receivedAt: number; error: string }[] = [];
  #collectorNotice: string | null = null;
  #listeners = new Set<() => void>();
  #notifyQueued = false;
  #version = 0;
  /** spans() as of #spansVersion: charts and alert rules ask for it every second or two. */
  #spans: Span[] = [];
  #spansVersion = -1;

  constructor({ maxSpans = 50_000 } = {}) {
    this.maxSpans = maxSpans;
  }

  get version() {
    return this.#version;
  }

  /** What the collector last said about itself, e.g. that its recording is full; null when all is well. */
  get collectorNotice(): string | null {
    return this.#collectorNotice;
  }

  setCollectorNotice(notice: string | null): void {
    this.#collectorNotice = notice;
    this.#changed();
  }

  /** Adds one envelope as the collector received it. Returns the reason when it is malformed. */
  addEnvelope(bytes: Uint8Array | string, receivedAt = Date.now()): { ok: true } | { ok: false; error: string } {
    const parsed = parseEnvelope(bytes);
    if (!parsed.ok) {
      this.#rejected.push({ receivedAt, error: parsed.error });
      this.#changed();
      return parsed;
    }
    const telemetry = normalise(parsed.envelope);
    for (const span of telemetry.spans) this.addSpan(span);
    for (const error of telemetry.errors) this.addError(error);
    this.#logs.push(...telemetry.logs);
    this.#changed();
    return { ok: true };
  }

  #trace(traceId: string): Trace {
    let trace = this.#traces.get(traceId);
    if (!trace) {
      trace = { traceId, spans: new Map(), errors: [], lastUpdate: 0 };
      this.#traces.set(traceId, trace);
    }
    // Map order is insertion order: move it to the end, so the oldest trace is always first.
    else {
      this.#traces.delete(traceId);
      this.#traces.set(traceId, trace);
    }
    trace.lastUpdate = Date.now();
    return trace;
  }

  addSpan(span: Span) {
    const trace = this.#trace(span.traceId);
    if (!trace.spans.has(span.spanId)) this.#spanCount++;
    trace.spans.set(span.spanId, span);
    while (this.#spanCount > this.maxSpans && this.#traces.size > 1) {
      const [oldestId, oldest] = this.#traces.entries().next().value!;
      this.#spanCount -= oldest.spans.size;
      this.#traces.delete(oldestId);
    }
    this.#changed();
  }

  addError(error: ErrorEvent) {
    if (error.traceId) this.#trace(error.traceId).errors.push(error);
    const id = issueFingerprint(error);
    const top = error.frames.find((frame) => frame.inApp);
    const issue = this.#issues.get(id) ?? {
      id,
      type: error.type,
      value: error.value,
      culprit: top ? { file: plainFile(top.filename), function: top.function } : undefined,
      service: error.service,
      count: 0,
      firstSeen: error.timestamp,
      lastSeen: error.timestamp,
      traceIds: [],
      events: [],
    };
    issue.count++;
    issue.firstSeen = Math.min(issue.firstSeen, error.timestamp);
    issue.lastSeen = Math.max(issue.lastSeen, error.timestamp);
    if (error.traceId && !issue.traceIds.includes(error.traceId)) issue.traceIds.push(error.traceId);
    issue.events = [error, ...issue.events].slice(0, MAX_EVENTS_PER_ISSUE);
    this.#issues.set(id, issue);
    this.#changed();
  }

  /**
   * Newest first: by the trace's latest moment, not its start. A page visit is one trace from its
   * page load until the shopper leaves, so an order placed a minute after the page loaded puts that
   * visit's trace back on top.
   */
  traces(): TraceSummary[] {
    const out: TraceSummary[] = [];
    for (const trace of this.#traces.values()) {
      let start = Infinity;
      let end = -Infinity;
      let root: Span | undefined;
      const services = new Set<Service>();
      for (const span of trace.spans.values()) {
        start = Math.min(start, span.start);
        end = Math.max(end, span.end);
        services.add(span.service);
        if (!span.parentSpanId || !trace.spans.has(span.parentSpanId)) {
          if (!root || span.start < root.start) root = span;
        }
      }
      const lastError = Math.max(-Infinity, ...trace.errors.map((error) => error.timestamp));
      out.push({
        traceId: trace.traceId,
        rootName: root?.name ?? trace.errors[0]?.transaction ?? '(no spans yet)',
        rootOp: root?.op,
        start: Number.isFinite(start) ? start : (trace.errors[0]?.timestamp ?? 0),
        end: Math.max(end, lastError, Number.isFinite(start) ? start : 0),
        duration: Number.isFinite(end - start) ? end - start : 0,
        spanCount: trace.spans.size,
        errorCount: trace.errors.length + [...trace.spans.values()].filter((span) => span.status !== 'ok').length,
        services: [...services],
      });
    }
    return out.sort((a, b) => b.end - a.end || b.start - a.start);
  }

  /**
   * The trace as a tree. A span whose parent has not arrived (yet) is shown as a root; the tree is
   * built on each call, so it re-parents itself as soon as the parent shows up.
   */
  traceTree(traceId: string): SpanNode[] {
    const trace = this.#traces.get(traceId);
    if (!trace) return [];
    const nodes = new Map<string, SpanNode>();
    for (const span of trace.spans.values()) nodes.set(span.spanId, { span, children: [], errors: [] });
    for (const error of trace.errors) if (error.spanId) nodes.get(error.spanId)?.errors.push(error);
    const roots: SpanNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.span.parentSpanId ? nodes.get(node.span.parentSpanId) : undefined;
      (parent ? parent.children : roots).push(node);
    }
    const byStart = (a: SpanNode, b: SpanNode) => a.span.start - b.span.start;
    for (const node of nodes.values()) node.children.sort(byStart);
    return roots.sort(byStart);
  }

  /** Every span kept, oldest trace first. The array is shared until the store changes: do not mutate it. */
  spans(): readonly Span[] {
    if (this.#spansVersion !== this.#version) {
      this.#spans = [...this.#traces.values()].flatMap((trace) => [...trace.spans.values()]);
      this.#spansVersion = this.#version;
    }
    return this.#spans;
  }

  /** Most recently seen first. */
  issues(): Issue[] {
    return [...this.#issues.values()].sort((a, b) => b.lastSeen - a.lastSeen);
  }

  logs(): LogRecord[] {
    return this.#logs;
  }

  /** Envelopes that could not be read, with the reason. */
  rejected() {
    return this.#rejected;
  }

  get spanCount() {
    return this.#spanCount;
  }

  clear() {
    this.#traces.clear();
    this.#issues.clear();
    this.#logs = [];
    this.#rejected = [];
    this.#spanCount = 0;
    this.#changed();
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #changed() {
    this.#version++;
    if (this.#notifyQueued) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      for (const listener of this.#listeners) listener();
    });
  }
}
