import { useEffect, useMemo, useRef, useState } from 'react';
import type { Span } from '../telemetry/model.ts';
import type { SpanNode, TelemetryStore, TraceSummary } from '../telemetry/store.ts';
import { formatDuration } from './use-store.ts';

interface Props {
  store: TelemetryStore;
  version: number;
  /** Traces with a span that matches are listed (the search box, parsed by query.ts); null: all. */
  filter: ((span: Span) => boolean) | null;
  selectedTrace: string | null;
  onSelectTrace: (traceId: string | null) => void;
  /** An error to mark in the waterfall (from "View full trace"). */
  highlightSpanId?: string;
}

const MAX_ROWS = 300;

/** A browser fetch span is named after its host; its path says more. */
export function spanLabel(span: Span): string {
  const url = span.attributes['url.full'];
  if (span.op === 'http.client' && typeof url === 'string') {
    try {
      return `${span.attributes['http.request.method'] ?? 'GET'} ${new URL(url, 'http://x').pathname}`;
    } catch {
      // not a URL after all
    }
  }
  return span.name;
}

/** A trace in the list, with the spans that matched the search (none without one). */
interface Listed {
  trace: TraceSummary;
  matched: Span[];
}

/**
 * Traces with at least one span (an error whose spans never came has nothing to draw; Issues
 * lists it), newest activity first; with a search, only traces with a span that matches.
 */
function listTraces(store: TelemetryStore, filter: ((span: Span) => boolean) | null): Listed[] {
  const all = store.traces().filter((trace) => trace.spanCount > 0);
  if (!filter) return all.map((trace) => ({ trace, matched: [] }));
  const matched = new Map<string, Span[]>();
  for (const span of store.spans()) {
    if (!filter(span)) continue;
    const list = matched.get(span.traceId);
    if (list) list.push(span);
    else matched.set(span.traceId, [span]);
  }
  return all.flatMap((trace) => {
    const spans = matched.get(trace.traceId);
    return spans ? [{ trace, matched: spans }] : [];
  });
}

/** "Submit Checkout Form ×2, GET /api/checkout": what in the trace the search found. */
function matchSummary(spans: Span[]): string {
  const counts = new Map<string, number>();
  for (const span of spans) counts.set(spanLabel(span), (counts.get(spanLabel(span)) ?? 0) + 1);
  const names = [...counts].map(([name, count]) => (count > 1 ? `${name} \u00d7${count}` : name));
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

export function TracesPanel({ store, version, filter, selectedTrace, onSelectTrace, highlightSpanId }: Props) {
  const traces = useMemo(() => listTraces(store, filter), [store, version, filter]);

  if (selectedTrace)
    return (
      <Waterfall
        store={store}
        version={version}
        traceId={selectedTrace}
        onBack={() => onSelectTrace(null)}
        highlightSpanId={highlightSpanId}
        matches={filter}
      />
    );

  if (traces.length === 0) {
    return (
      <p className="panel-note">
        {filter ? 'No trace has a span that matches.' : 'No traces yet. Once the shop sends spans, they appear here within a second.'}
      </p>
    );
  }
  return (
    <table className="telemetry-table traces-table">
      <caption className="visually-hidden">Traces, the most recently active first</caption>
      <thead>
        <tr>
          <th scope="col">Trace</th>
          <th scope="col">Last activity</th>
          <th scope="col">Duration</th>
          <th scope="col">Spans</th>
          <th scope="col">Errors</th>
          <th scope="col">Services</th>
        </tr>
      </thead>
      <tbody>
        {traces.slice(0, MAX_ROWS).map(({ trace, matched }) => (
          <tr key={trace.traceId} data-trace-id={trace.traceId}>
            <td>
              <button type="button" className="link-button" onClick={() => onSelectTrace(trace.traceId)}>
                {trace.rootOp && <span className="span-op">{trace.rootOp}</span>} {trace.rootName}
              </button>
              <span className="muted-id">{trace.traceId.slice(0, 8)}</span>
              {matched.length > 0 && <span className="trace-matches">Found: {matchSummary(matched)}</span>}
            </td>
            <td className="trace-time">{clockTime(trace.end)}</td>
            <td>{formatDuration(trace.duration)}</td>
            <td>{trace.spanCount}</td>
            <td className={trace.errorCount ? 'has-errors' : undefined}>{trace.errorCount}</td>
            <td>{trace.services.join(', ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const clockTime = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

interface Row {
  node: SpanNode;
  depth: number;
}

function flatten(nodes: SpanNode[], depth = 0, rows: Row[] = []): Row[] {
  for (const node of nodes) {
    rows.push({ node, depth });
    flatten(node.children, depth + 1, rows);
  }
  return rows;
}

function Waterfall({
  store,
  version,
  traceId,
  onBack,
  highlightSpanId,
  matches,
}: {
  store: TelemetryStore;
  version: number;
  traceId: string;
  onBack: () => void;
  highlightSpanId?: string;
  /** The search: spans it matches are marked, and the first one is selected as the trace opens. */
  matches: ((span: Span) => boolean) | null;
}) {
  const rows = useMemo(() => flatten(store.traceTree(traceId)), [store, version, traceId]);
  const found = useMemo(() => new Set(matches ? rows.filter((row) => matches(row.node.span)).map((row) => row.node.span.spanId) : []), [rows, matches]);
  const firstFound = rows.find((row) => found.has(row.node.span.spanId))?.node.span.spanId;
  const [selected, setSelected] = useState<string | null>(highlightSpanId ?? firstFound ?? null);
  const list = useRef<HTMLOListElement>(null);
  // The span the learner came for is in view as the trace opens, however far down a long trace it is.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current || !selected) return;
    const row = list.current?.querySelector<HTMLElement>(`[data-span-id="${CSS.escape(selected)}"]`);
    if (!row) return;
    opened.current = true;
    row.scrollIntoView({ block: 'nearest' });
  });
  if (rows.length === 0) return <p className="panel-note">This trace has no spans yet.</p>;
  const start = Math.min(...rows.map((row) => row.node.span.start));
  const end = Math.max(...rows.map((row) => row.node.span.end));
  const total = Math.max(end - start, 1);
  const selectedSpan = rows.find((row) => row.node.span.spanId === selected)?.node;

  return (
    <div className="waterfall">
      <div className="waterfall-head">
        <button type="button" className="button" onClick={onBack}>
          ← All traces
        </button>
        <span>
          Trace <code>{traceId}</code> · {rows.length} spans · {formatDuration(total)}
          {found.size > 0 && ` · ${found.size} found by the search, marked`}
        </span>
      </div>
      <ol ref={list} className="waterfall-rows" aria-label="Spans of the trace, as a waterfall">
        {rows.map(({ node, depth }) => {
          const { span } = node;
          const left = ((span.start - start) / total) * 100;
          const width = Math.max(((span.end - span.start) / total) * 100, 0.4);
          const failed = span.status !== 'ok' || node.errors.length > 0;
          return (
            <li
              key={span.spanId}
              data-span-id={span.spanId}
              data-service={span.service}
              data-error={failed || undefined}
              data-highlight={span.spanId === highlightSpanId || undefined}
              data-found={found.has(span.spanId) || undefined}
            >
              <button type="button" className="waterfall-row" aria-pressed={selected === span.spanId} onClick={() => setSelected(span.spanId)}>
                <span className="waterfall-label" style={{ paddingLeft: `${depth * 0.9}rem` }}>
                  <span className="service-dot" aria-hidden="true" />
                  {span.op && <span className="span-op">{span.op}</span>} {spanLabel(span)}
                  {node.errors.length > 0 && <span className="error-badge">{node.errors.length} error</span>}
                  {found.has(span.spanId) && <span className="found-badge">found</span>}
                </span>
                <span className="waterfall-track" aria-hidden="true">
                  <span className="waterfall-bar" style={{ left: `${left}%`, width: `${width}%` }} />
                </span>
                <span className="waterfall-duration">{formatDuration(span.end - span.start)}</span>
              </button>
            </li>
          );
        })}
      </ol>
      {selectedSpan && (
        <section className="span-details" aria-label="Span details">
          <h4>
            {spanLabel(selectedSpan.span)} <span className="muted-id">{selectedSpan.span.spanId}</span>
          </h4>
          <dl>
            <dt>service</dt>
            <dd>{selectedSpan.span.service}</dd>
            <dt>op</dt>
            <dd>{selectedSpan.span.op ?? '—'}</dd>
            <dt>status</dt>
            <dd>{selectedSpan.span.status}</dd>
            <dt>duration</dt>
            <dd>{formatDuration(selectedSpan.span.end - selectedSpan.span.start)}</dd>
            {Object.entries(selectedSpan.span.attributes)
              .sort(([a], [b]) => Number(a.startsWith('sentry.')) - Number(b.startsWith('sentry.')) || a.localeCompare(b))
              .map(([key, value]) => (
                <div key={key} className="attribute" data-attribute={key}>
                  <dt>{key}</dt>
                  <dd>{JSON.stringify(value)}</dd>
                </div>
              ))}
          </dl>
          {selectedSpan.errors.map((error) => (
            <p key={error.eventId} className="error-line" role="note">
              {error.type}: {error.value}
            </p>
          ))}
        </section>
      )}
    </div>
  );
}
