import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { QueryResult } from '../telemetry/query.ts';

const PALETTE = ['#7c5cff', '#10b981', '#f59e0b', '#ef4444', '#3b82f6', '#ec4899', '#14b8a6', '#a3a3a3', '#8b5cf6', '#84cc16', '#64748b'];

interface Props {
  result: QueryResult;
  /** What the y axis shows, e.g. "avg(items_at_checkout)". */
  label: string;
  height?: number;
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/** A live time series (uPlot, canvas): one line per group, gaps where a bucket has no data. */
export function TimeSeriesChart({ result, label, height = 180 }: Props) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const shapeRef = useRef('');

  const [theme, setTheme] = useState(0);
  const data = [result.buckets.map((t) => t / 1000), ...result.series.map((s) => s.values)] as uPlot.AlignedData;
  // The number of series is part of the shape: uPlot reads one data array per series it was made with.
  const shape = `${theme}|${label}|${result.series.length}|${result.series.map((s) => s.group).join('|')}`;
  const empty = result.series.length === 0;

  useEffect(() => {
    const host = hostRef.current!;
    // A grouped query with nothing in its window has no series at all: no chart to draw (uPlot cannot draw one).
    if (empty) {
      plotRef.current?.destroy();
      plotRef.current = null;
      shapeRef.current = '';
      return;
    }
    // Series names are part of uPlot's options: a new set of groups means a new chart.
    if (!plotRef.current || shapeRef.current !== shape) {
      plotRef.current?.destroy();
      const axis = { stroke: cssVar('--text-muted'), grid: { stroke: cssVar('--border'), width: 1 }, ticks: { stroke: cssVar('--border') } };
      plotRef.current = new uPlot(
        {
          width: Math.max(host.clientWidth, 200),
          height,
          legend: { show: result.series.length > 1 || result.series[0]?.group !== '' },
          cursor: { drag: { x: false, y: false } },
          // A drop to zero is the story: keep zero on the axis so a fall reads as a fall.
          scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, 1)] } },
          axes: [axis, { ...axis, label, labelSize: 16, size: 50 }],
          series: [
            {},
            ...result.series.map((s, i) => ({
              label: s.group || label,
              stroke: PALETTE[i % PALETTE.length],
              width: 2,
              points: { show: true, size: 4 },
              spanGaps: false,
            })),
          ],
        },
        data,
        host,
      );
      shapeRef.current = shape;
    } else {
      plotRef.current.setData(data);
    }
  });

  // Axis colours come from the theme: a theme switch redraws the chart with the new ones.
  useEffect(() => {
    const onTheme = () => setTheme((n) => n + 1);
    window.addEventListener('ctl:theme', onTheme);
    return () => window.removeEventListener('ctl:theme', onTheme);
  }, []);

  useEffect(() => {
    const host = hostRef.current!;
    const observer = new ResizeObserver(() => plotRef.current?.setSize({ width: Math.max(host.clientWidth, 200), height }));
    observer.observe(host);
    return () => {
      observer.disconnect();
      plotRef.current?.destroy();
      plotRef.current = null;
    };
  }, [height]);

  return (
    <div
      ref={hostRef}
      className="chart"
      role="img"
      aria-label={empty ? `${label}: nothing matched yet` : `Chart of ${label} over time`}
      style={empty ? { height } : undefined}
    >
      {empty && <p className="chart-empty">Nothing matched in this window yet.</p>}
    </div>
  );
}
