import { lazy, Suspense, type ComponentProps } from 'react';

// uPlot and the chart load when a chart is first shown, not with the workspace.
const TimeSeriesChart = lazy(() => import('./TimeSeriesChart.tsx').then((module) => ({ default: module.TimeSeriesChart })));

export function LazyChart(props: ComponentProps<typeof TimeSeriesChart>) {
  return (
    <Suspense fallback={<div className="chart" style={{ height: props.height ?? 180 }} aria-busy="true" />}>
      <TimeSeriesChart {...props} />
    </Suspense>
  );
}
