import { useEffect, useMemo, useState } from 'react';
import { QueryError, runQuery, type QueryResult, type SpanQuery } from '../telemetry/query.ts';
import type { TelemetryStore } from '../telemetry/store.ts';

export interface TimeRange {
  /** How far back the chart looks. */
  rangeMs: number;
  bucketMs: number;
}

export const RANGES: { label: string; rangeMs: number; bucketMs: number }[] = [
  { label: 'Last 5 min, 10 s interval', rangeMs: 5 * 60_000, bucketMs: 10_000 },
  { label: 'Last 15 min, 30 s interval', rangeMs: 15 * 60_000, bucketMs: 30_000 },
  { label: 'Last hour, 1 min interval', rangeMs: 60 * 60_000, bucketMs: 60_000 },
];

/** Re-ticks every second, so a live window slides even when no span arrives. */
function useClock(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** A query over the store's spans for the last `range`, re-run as spans arrive and time passes. */
export function useLiveQuery(store: TelemetryStore, version: number, query: SpanQuery, range: TimeRange): { result?: QueryResult; error?: string } {
  const now = useClock();
  const { filter, aggregate, field, groupBy } = query;
  return useMemo(() => {
    // Align buckets to the interval so a bucket's value does not wobble as the window slides.
    const end = Math.ceil(now / range.bucketMs) * range.bucketMs;
    try {
      return { result: runQuery(store.spans(), { filter, aggregate, field, groupBy }, { start: end - range.rangeMs, end, bucketMs: range.bucketMs }) };
    } catch (error) {
      if (error instanceof QueryError) return { error: error.message };
      throw error;
    }
  }, [store, version, now, filter, aggregate, field, groupBy, range.rangeMs, range.bucketMs]);
}
