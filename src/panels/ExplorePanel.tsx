import { useId, useState } from 'react';
import { AGGREGATES, describeAggregate, type AggregateFn, type SpanQuery } from '../telemetry/query.ts';
import type { TelemetryStore } from '../telemetry/store.ts';
import { LazyChart } from './LazyChart.tsx';
import { RANGES, useLiveQuery } from './use-live-query.ts';

interface Props {
  store: TelemetryStore;
  version: number;
  query: SpanQuery;
  onQueryChange: (query: SpanQuery) => void;
  onAddToDashboard: (title: string, query: SpanQuery) => void;
  onCreateAlert: (query: SpanQuery) => void;
}

export const formatValue = (value: number | null) => (value === null ? '—' : Number.isInteger(value) ? String(value) : value.toFixed(2));

/** Span metrics: a search, an aggregate over time buckets, optionally grouped; chart and table. */
export function ExplorePanel({ store, version, query, onQueryChange, onAddToDashboard, onCreateAlert }: Props) {
  const id = useId();
  const [range, setRange] = useState(RANGES[0]!);
  const [filterText, setFilterText] = useState(query.filter);
  const [title, setTitle] = useState('');
  const { result, error } = useLiveQuery(store, version, query, range);
  const set = (patch: Partial<SpanQuery>) => onQueryChange({ ...query, ...patch });
  const needsField = query.aggregate !== 'count';
  const label = describeAggregate(query);

  return (
    <div className="explore">
      <form
        className="query-form"
        aria-label="Span query"
        onSubmit={(event) => {
          event.preventDefault();
          set({ filter: filterText });
        }}
      >
        <label className="query-search">
          Search spans
          <input
            type="search"
            value={filterText}
            placeholder={'span.name:"Submit Checkout Form" items_at_checkout:>0'}
            onChange={(event) => setFilterText(event.target.value)}
            onBlur={() => filterText !== query.filter && set({ filter: filterText })}
            aria-invalid={Boolean(error)}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </label>
        <label>
          Aggregate
          <select value={query.aggregate} onChange={(event) => set({ aggregate: event.target.value as AggregateFn })}>
            {AGGREGATES.map((fn) => (
              <option key={fn}>{fn}</option>
            ))}
          </select>
        </label>
        <label>
          Of
          <input
            list={`${id}-fields`}
            value={query.field ?? ''}
            disabled={!needsField}
            placeholder="items_at_checkout"
            onChange={(event) => set({ field: event.target.value || undefined })}
          />
        </label>
        <label>
          Group by
          <input
            list={`${id}-fields`}
            value={query.groupBy ?? ''}
            placeholder="(none)"
            onChange={(event) => set({ groupBy: event.target.value || undefined })}
          />
        </label>
        <label>
          Interval
          <select value={range.label} onChange={(event) => setRange(RANGES.find((r) => r.label === event.target.value)!)}>
            {RANGES.map((r) => (
              <option key={r.label}>{r.label}</option>
            ))}
          </select>
        </label>
        <datalist id={`${id}-fields`}>
          {['items_at_checkout', 'span.duration', 'span.name', 'span.op', 'span.status', 'service', 'http.route', 'http.response.status_code'].map((field) => (
            <option key={field} value={field} />
          ))}
        </datalist>
        <button type="submit" className="button">
          Run
        </button>
      </form>
      {error ? (
        <p id={`${id}-error`} className="query-error" role="alert">
          {error}
        </p>
      ) : result ? (
        <>
          <p className="query-summary" aria-live="polite">
            <strong>{label}</strong> · {result.matched} matching span{result.matched === 1 ? '' : 's'} · live
          </p>
          <LazyChart result={result} label={label} />
          <table className="telemetry-table">
            <thead>
              <tr>
                <th scope="col">{query.groupBy || 'series'}</th>
                <th scope="col">{label} over the range</th>
                <th scope="col">latest interval</th>
              </tr>
            </thead>
            <tbody>
              {result.series.map((series) => (
                <tr key={series.group}>
                  <td>{series.group || 'all matching spans'}</td>
                  <td>{formatValue(series.total)}</td>
                  <td>{formatValue(series.values.findLast((v) => v !== null) ?? null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="query-actions">
            <label>
              Widget title
              <input value={title} placeholder="Items at checkout" onChange={(event) => setTitle(event.target.value)} />
            </label>
            <button
              type="button"
              className="button"
              onClick={() => {
                onAddToDashboard(title.trim() || label, query);
                setTitle('');
              }}
            >
              Add to dashboard
            </button>
            <button type="button" className="button" onClick={() => onCreateAlert(query)}>
              Create alert
            </button>
          </div>
        </>
      ) : null}
    </div>
  );
}
