import { useMemo, useState } from 'react';
import { parseFilter, type SpanQuery } from '../telemetry/query.ts';
import { ISSUE_FILTER } from '../telemetry/issue-filter.ts';
import type { TelemetryStore } from '../telemetry/store.ts';
import { AlertsPanel } from './AlertsPanel.tsx';
import { DashboardPanel } from './DashboardPanel.tsx';
import { ExplorePanel } from './ExplorePanel.tsx';
import { ForwardToSentry } from './ForwardToSentry.tsx';
import { IssuesPanel } from './IssuesPanel.tsx';
import { ShoppersControl } from './ShoppersControl.tsx';
import { TracesPanel } from './TracesPanel.tsx';
import { useAlertMonitor } from './use-alert-monitor.ts';
import { useMonitoringFiles } from './use-monitoring-files.ts';
import { useStoreVersion } from './use-store.ts';
import './panels.css';

interface Props {
  store: TelemetryStore;
  /** The lesson shown: a trace opened in one lesson stays with it, and the next lesson starts at the list. */
  lessonId: string | null;
  /** The sandbox's files as the editor has them (monitoring/*.json included). */
  files: Record<string, string>;
  onOpenFile: (path: string, line: number) => void;
  /** Saves a file the way an edit in the editor does (kept, and written to the sandbox). */
  onSaveFile: (path: string, contents: string) => void;
}

type View = 'traces' | 'issues' | 'explore' | 'dashboard' | 'alerts';
const VIEWS: { id: View; label: string }[] = [
  { id: 'traces', label: 'Traces' },
  { id: 'issues', label: 'Issues' },
  { id: 'explore', label: 'Explore' },
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'alerts', label: 'Alerts' },
];

/** The trace a learner drilled into, and the error span to mark when they came from an issue. */
interface OpenTrace {
  id: string;
  highlightSpanId?: string;
}

const CHECKOUT_QUERY: SpanQuery = { filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' };

/** Everything the SDKs sent, live: traces, issues, span metrics, dashboards and alerts. */
export function TelemetryPanel({ store, lessonId, files, onOpenFile, onSaveFile }: Props) {
  const [view, setView] = useState<View>('traces');
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState('');
  const [openTraces, setOpenTraces] = useState<Record<string, OpenTrace | null>>({});
  const trace = openTraces[lessonId ?? ''] ?? null;
  const setTrace = (opened: OpenTrace | null) => setOpenTraces((all) => ({ ...all, [lessonId ?? '']: opened }));
  const [query, setQuery] = useState<SpanQuery>(CHECKOUT_QUERY);
  const [alertDraft, setAlertDraft] = useState<SpanQuery | null>(null);
  const version = useStoreVersion(store, paused);
  // One search language (query.ts) for spans and issues alike, with the errors Explore shows.
  const spanFilter = useMemo(() => (search.trim() ? parseFilter(search) : null), [search]);
  const issueFilter = useMemo(() => (search.trim() ? parseFilter(search, ISSUE_FILTER) : null), [search]);
  const shown = view === 'issues' ? issueFilter : spanFilter;
  const searchError = shown && !shown.ok ? shown.error : null;
  const issueCount = store.issues().length;

  const monitoring = useMonitoringFiles(files, onSaveFile);
  const { states, notifications } = useAlertMonitor(store, monitoring.rules);
  const firing = Object.values(states).filter((state) => state.status === 'firing').length;

  const addWidget = (title: string, widgetQuery: SpanQuery) => {
    monitoring.addWidget(title, widgetQuery);
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
        <ShoppersControl />
        <button type="button" className="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            store.clear();
            setOpenTraces({});
          }}
        >
          Clear
        </button>
        {/* Last: it takes what room the row has left, or a row of its own. */}
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
            dashboards={monitoring.dashboards}
            problem={monitoring.dashboardsProblem}
            onOpen={(widget) => {
              setQuery(widget.query);
              setView('explore');
            }}
            onRemove={monitoring.removeWidget}
          />
        )}
        {view === 'alerts' && (
          <AlertsPanel
            rules={monitoring.rules}
            states={states}
            notifications={notifications}
            draft={alertDraft}
            problem={monitoring.rulesProblem}
            onSave={monitoring.saveRule}
            onDelete={monitoring.deleteRule}
            onDraftDone={() => setAlertDraft(null)}
          />
        )}
      </div>
      <ForwardToSentry />
    </div>
  );
}
