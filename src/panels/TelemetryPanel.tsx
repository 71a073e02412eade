import { useMemo, useState } from 'react';
import type { Runtime } from '../runtime/types.ts';
import type { AlertRule } from '../telemetry/alerts.ts';
import {
  ALERTS_FILE,
  DASHBOARDS_FILE,
  newId,
  parseAlertRules,
  parseDashboards,
  serialiseAlertRules,
  serialiseDashboards,
  type Dashboard,
} from '../telemetry/monitoring.ts';
import { parseFilter, type SpanQuery } from '../telemetry/query.ts';
import { ISSUE_FILTER } from '../telemetry/issue-filter.ts';
import type { TelemetryStore } from '../telemetry/store.ts';
import { AlertsPanel } from './AlertsPanel.tsx';
import { DashboardPanel } from './DashboardPanel.tsx';
import { ExplorePanel } from './ExplorePanel.tsx';
import { IssuesPanel } from './IssuesPanel.tsx';
import { ShoppersControl } from './ShoppersControl.tsx';
import { TracesPanel } from './TracesPanel.tsx';
import { useAlertMonitor } from './use-alert-monitor.ts';
import { useStoreVersion } from './use-store.ts';
import './panels.css';

interface Props {
  store: TelemetryStore;
  /** The sandbox's files as the editor has them (monitoring/*.json included). */
  files: Record<string, string>;
  runtime: Runtime | null;
  onOpenFile: (path: string, line: number) => void;
  /** Saves a file the way an edit in the editor does (kept, and written to the sandbox). */
  onSaveFile: (path: string, contents: string) => void;
  onOutput: (text: string) => void;
}

type View = 'traces' | 'issues' | 'explore' | 'dashboard' | 'alerts';
const VIEWS: { id: View; label: string }[] = [
  { id: 'traces', label: 'Traces' },
  { id: 'issues', label: 'Issues' },
  { id: 'explore', label: 'Explore' },
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'alerts', label: 'Alerts' },
];

const CHECKOUT_QUERY: SpanQuery = { filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' };

/** Everything the SDKs sent, live: traces, issues, span metrics, dashboards and alerts. */
export function TelemetryPanel({ store, files, runtime, onOpenFile, onSaveFile, onOutput }: Props) {
  const [view, setView] = useState<View>('traces');
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState('');
  const [trace, setTrace] = useState<{ id: string; highlightSpanId?: string } | null>(null);
  const [query, setQuery] = useState<SpanQuery>(CHECKOUT_QUERY);
  const [alertDraft, setAlertDraft] = useState<SpanQuery | null>(null);
  const version = useStoreVersion(store, paused);
  // One search language (query.ts) for spans and issues alike, with the errors Explore shows.
  const spanFilter = useMemo(() => (search.trim() ? parseFilter(search) : null), [search]);
  const issueFilter = useMemo(() => (search.trim() ? parseFilter(search, ISSUE_FILTER) : null), [search]);
  const shown = view === 'issues' ? issueFilter : spanFilter;
  const searchError = shown && !shown.ok ? shown.error : null;
  const issueCount = store.issues().length;

  const dashboardsText = files[DASHBOARDS_FILE];
  const alertsText = files[ALERTS_FILE];
  const dashboards = useMemo(() => parseDashboards(dashboardsText), [dashboardsText]);
  const rules = useMemo(() => parseAlertRules(alertsText), [alertsText]);
  const { states, notifications } = useAlertMonitor(store, rules.ok ? rules.value : []);
  const firing = Object.values(states).filter((state) => state.status === 'firing').length;

  const saveDashboards = (next: Dashboard[]) => onSaveFile(DASHBOARDS_FILE, serialiseDashboards(next));
  const saveRules = (next: AlertRule[]) => onSaveFile(ALERTS_FILE, serialiseAlertRules(next));

  const addWidget = (title: string, widgetQuery: SpanQuery) => {
    const current = dashboards.ok ? dashboards.value : [];
    const [first, ...rest] = current.length ? current : [{ id: 'checkout', title: 'Checkout', widgets: [] }];
    saveDashboards([{ ...first!, widgets: [...first!.widgets, { id: newId('widget'), title, query: widgetQuery }] }, ...rest]);
    setView('dashboard');
  };

  return (
    <div className="telemetry">
      <div className="telemetry-bar">
        <div className="segmented" role="tablist" aria-label="Telemetry views">
          {VIEWS.map(({ id, label }) => (
            <button key={id} type="button" role="tab" aria-selected={view === id} onClick={() => setView(id)}>
              {label}
              {id === 'issues' && issueCount > 0 && <span className="count-badge">{issueCount}</span>}
              {id === 'alerts' && firing > 0 && (
                <span className="count-badge">
                  {firing}
                  <span className="visually-hidden"> firing</span>
                </span>
              )}
            </button>
          ))}
        </div>
        {(view === 'traces' || view === 'issues') && (
          <>
            <label className="visually-hidden" htmlFor="telemetry-search">
              Search spans and issues
            </label>
            <input
              id="telemetry-search"
              type="search"
              placeholder={
                view === 'issues'
                  ? 'Search: text, or error.type:TypeError, service:backend, count:>2'
                  : 'Search: span name, or key:value like items_at_checkout:3, span.duration:>200ms'
              }
              value={search}
              onChange={(event) => setSearch(event.target.value)}
              aria-invalid={Boolean(searchError)}
              aria-describedby={searchError ? 'telemetry-search-error' : undefined}
            />
          </>
        )}
        <ShoppersControl runtime={runtime} onOutput={onOutput} />
        <button type="button" className="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            store.clear();
            setTrace(null);
          }}
        >
          Clear
        </button>
      </div>
      {searchError && (
        <p id="telemetry-search-error" className="query-error" role="alert">
          {searchError}
        </p>
      )}
      {store.collectorNotice && (
        <p className="panel-note" role="status" data-testid="collector-notice">
          {store.collectorNotice}
        </p>
      )}
      <div className="telemetry-body">
        {view === 'traces' && (
          <TracesPanel
            store={store}
            version={version}
            filter={spanFilter?.ok ? spanFilter.matches : null}
            selectedTrace={trace?.id ?? null}
            highlightSpanId={trace?.highlightSpanId}
            onSelectTrace={(id) => setTrace(id ? { id } : null)}
          />
        )}
        {view === 'issues' && (
          <IssuesPanel
            store={store}
            version={version}
            filter={issueFilter?.ok ? issueFilter.matches : null}
            files={Object.keys(files)}
            onOpenFile={onOpenFile}
            onViewTrace={(id, spanId) => {
              setTrace({ id, highlightSpanId: spanId });
              setView('traces');
            }}
          />
        )}
        {view === 'explore' && (
          <ExplorePanel
            store={store}
            version={version}
            query={query}
            onQueryChange={setQuery}
            onAddToDashboard={addWidget}
            onCreateAlert={(draft) => {
              setAlertDraft(draft);
              setView('alerts');
            }}
          />
        )}
        {view === 'dashboard' && (
          <DashboardPanel
            store={store}
            version={version}
            dashboards={dashboards.ok ? dashboards.value : []}
            problem={dashboards.ok ? undefined : dashboards.error}
            onOpen={(widget) => {
              setQuery(widget.query);
              setView('explore');
            }}
            onRemove={(widget) =>
              dashboards.ok && saveDashboards(dashboards.value.map((board) => ({ ...board, widgets: board.widgets.filter((w) => w.id !== widget.id) })))
            }
          />
        )}
        {view === 'alerts' && (
          <AlertsPanel
            rules={rules.ok ? rules.value : []}
            states={states}
            notifications={notifications}
            draft={alertDraft}
            problem={rules.ok ? undefined : rules.error}
            onSave={(rule) => saveRules([...(rules.ok ? rules.value : []), rule])}
            onDelete={(rule) => rules.ok && saveRules(rules.value.filter((r) => r.id !== rule.id))}
            onDraftDone={() => setAlertDraft(null)}
          />
        )}
      </div>
    </div>
  );
}
