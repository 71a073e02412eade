import { useState } from 'react';
import type { TelemetryStore } from '../telemetry/store.ts';
import { IssuesPanel } from './IssuesPanel.tsx';
import { TracesPanel } from './TracesPanel.tsx';
import { useStoreVersion } from './use-store.ts';
import './panels.css';

interface Props {
  store: TelemetryStore;
  files: string[];
  onOpenFile: (path: string, line: number) => void;
}

type View = 'traces' | 'issues';

/** Everything the SDKs sent, live: traces as waterfalls, errors as issues. */
export function TelemetryPanel({ store, files, onOpenFile }: Props) {
  const [view, setView] = useState<View>('traces');
  const [paused, setPaused] = useState(false);
  const [search, setSearch] = useState('');
  const [trace, setTrace] = useState<{ id: string; highlightSpanId?: string } | null>(null);
  const version = useStoreVersion(store, paused);
  const issueCount = store.issues().length;

  return (
    <div className="telemetry">
      <div className="telemetry-bar">
        <div className="segmented" role="tablist" aria-label="Telemetry views">
          <button type="button" role="tab" aria-selected={view === 'traces'} onClick={() => setView('traces')}>
            Traces
          </button>
          <button type="button" role="tab" aria-selected={view === 'issues'} onClick={() => setView('issues')}>
            Issues {issueCount > 0 && <span className="count-badge">{issueCount}</span>}
          </button>
        </div>
        <label className="visually-hidden" htmlFor="telemetry-search">
          Search spans and issues
        </label>
        <input id="telemetry-search" type="search" placeholder={'Search: name, op, or key:value like items_at_checkout:3'} value={search} onChange={(event) => setSearch(event.target.value)} />
        <button type="button" className="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="button" onClick={() => (store.clear(), setTrace(null))}>
          Clear
        </button>
      </div>
      <div className="telemetry-body">
        {view === 'traces' ? (
          <TracesPanel
            store={store}
            version={version}
            search={search}
            selectedTrace={trace?.id ?? null}
            highlightSpanId={trace?.highlightSpanId}
            onSelectTrace={(id) => setTrace(id ? { id } : null)}
          />
        ) : (
          <IssuesPanel
            store={store}
            version={version}
            search={search}
            files={files}
            onOpenFile={onOpenFile}
            onViewTrace={(id, spanId) => {
              setTrace({ id, highlightSpanId: spanId });
              setView('traces');
            }}
          />
        )}
      </div>
    </div>
  );
}
