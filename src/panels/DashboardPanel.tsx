import type { Dashboard, Widget } from '../telemetry/monitoring.ts';
import type { TelemetryStore } from '../telemetry/store.ts';
import { formatValue } from './ExplorePanel.tsx';
import { LazyChart } from './LazyChart.tsx';
import { RANGES, useLiveQuery } from './use-live-query.ts';
import { describeAggregate } from '../telemetry/query.ts';

interface Props {
  store: TelemetryStore;
  version: number;
  dashboards: Dashboard[];
  problem?: string;
  onOpen: (widget: Widget) => void;
  onRemove: (widget: Widget) => void;
}

function WidgetCard({
  store,
  version,
  widget,
  onOpen,
  onRemove,
}: {
  store: TelemetryStore;
  version: number;
  widget: Widget;
  onOpen: () => void;
  onRemove: () => void;
}) {
  const { result, error } = useLiveQuery(store, version, widget.query, RANGES[0]!);
  const label = describeAggregate(widget.query);
  const latest = result?.series.length === 1 ? (result.series[0]!.values.findLast((v) => v !== null) ?? null) : undefined;
  return (
    <article className="widget" aria-label={widget.title}>
      <header>
        <h3>{widget.title}</h3>
        {latest !== undefined && (
          <span className="widget-latest" data-testid="widget-latest">
            {formatValue(latest)}
          </span>
        )}
      </header>
      <p className="widget-query">
        {label}
        {widget.query.filter && ` where ${widget.query.filter}`}
        {widget.query.groupBy && ` by ${widget.query.groupBy}`}
      </p>
      {error ? <p className="query-error">{error}</p> : result && <LazyChart result={result} label={label} height={140} />}
      <div className="widget-actions">
        <button type="button" className="link-button" onClick={onOpen}>
          Open in Explore
        </button>
        <button type="button" className="link-button" onClick={onRemove} aria-label={`Remove ${widget.title}`}>
          Remove
        </button>
      </div>
    </article>
  );
}

/** The saved widgets (monitoring/dashboards.json), each a live chart of its query. */
export function DashboardPanel({ store, version, dashboards, problem, onOpen, onRemove }: Props) {
  if (problem)
    return (
      <p className="query-error" role="alert">
        {problem} Fix the file in the editor, or remove it to start again.
      </p>
    );
  const widgets = dashboards.flatMap((board) => board.widgets);
  if (widgets.length === 0) return <p className="panel-note">No widgets yet. Build a query in Explore and press “Add to dashboard”.</p>;
  return (
    <div className="dashboard">
      {dashboards.map((board) => (
        <section key={board.id} aria-label={`Dashboard ${board.title}`}>
          <h2 className="dashboard-title">{board.title}</h2>
          <div className="widget-grid">
            {board.widgets.map((widget) => (
              <WidgetCard key={widget.id} store={store} version={version} widget={widget} onOpen={() => onOpen(widget)} onRemove={() => onRemove(widget)} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}
