import { useMemo, useState } from 'react';
import type { StackFrame } from '../telemetry/model.ts';
import type { Issue, TelemetryStore } from '../telemetry/store.ts';
import { sandboxPathOf } from './use-store.ts';

interface Props {
  store: TelemetryStore;
  version: number;
  /** Issues that match are listed (the search box, parsed by query.ts); null: all. */
  filter: ((issue: Issue) => boolean) | null;
  files: string[];
  onViewTrace: (traceId: string, spanId?: string) => void;
  onOpenFile: (path: string, line: number) => void;
}

const since = (timestamp: number) => {
  const seconds = Math.max(0, Math.round((Date.now() - timestamp) / 1000));
  return seconds < 60 ? `${seconds}s ago` : `${Math.round(seconds / 60)} min ago`;
};

function culprit(issue: Issue, files: string[]): string {
  if (!issue.culprit) return 'no in-app frame';
  const file = sandboxPathOf(issue.culprit.file, files) ?? issue.culprit.file;
  return issue.culprit.function ? `${file} in ${issue.culprit.function}` : file;
}

export function IssuesPanel({ store, version, filter, files, onViewTrace, onOpenFile }: Props) {
  const issues = useMemo(() => (filter ? store.issues().filter(filter) : store.issues()), [store, version, filter]);
  const [openId, setOpenId] = useState<string | null>(null);
  const open = issues.find((issue) => issue.id === openId);

  if (open) return <IssueDetails issue={open} files={files} onBack={() => setOpenId(null)} onViewTrace={onViewTrace} onOpenFile={onOpenFile} />;
  if (issues.length === 0) return <p className="panel-note">{filter ? 'No issue matches.' : 'No errors so far.'}</p>;
  return (
    <ul className="issue-list">
      {issues.map((issue) => (
        <li key={issue.id}>
          <button type="button" className="issue-row" onClick={() => setOpenId(issue.id)}>
            <span className="issue-title">
              <strong>{issue.type}</strong>: {issue.value}
            </span>
            <span className="issue-meta">
              {issue.service} · {culprit(issue, files)} · {issue.count}× · last {since(issue.lastSeen)}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function IssueDetails({
  issue,
  files,
  onBack,
  onViewTrace,
  onOpenFile,
}: { issue: Issue; files: string[]; onBack: () => void } & Pick<Props, 'onViewTrace' | 'onOpenFile'>) {
  const event = issue.events[0]!;
  // In-app frames first: they are the learner's code.
  const frames = [...event.frames.filter((frame) => frame.inApp), ...event.frames.filter((frame) => !frame.inApp)];
  return (
    <div className="issue-details">
      <div className="waterfall-head">
        <button type="button" className="button" onClick={onBack}>
          ← All issues
        </button>
        {event.traceId && (
          <button type="button" className="button primary" onClick={() => onViewTrace(event.traceId!, event.spanId)}>
            View full trace
          </button>
        )}
      </div>
      <h4>
        {issue.type}: {issue.value}
      </h4>
      <p className="issue-meta">
        {issue.service} · seen {issue.count}× · in {issue.traceIds.length} trace{issue.traceIds.length === 1 ? '' : 's'}
      </p>
      <ol className="stack" aria-label="Stack trace, in-app frames first">
        {frames.map((frame, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a stack's frames never reorder, and recursion repeats a frame.
          <FrameView key={index} frame={frame} path={sandboxPathOf(frame.filename, files)} onOpenFile={onOpenFile} />
        ))}
      </ol>
    </div>
  );
}

function FrameView({ frame, path, onOpenFile }: { frame: StackFrame; path?: string; onOpenFile: Props['onOpenFile'] }) {
  const where = `${path ?? frame.filename ?? '?'}${frame.lineno ? `:${frame.lineno}` : ''}`;
  return (
    <li className="frame" data-in-app={frame.inApp}>
      <div className="frame-head">
        {path && frame.lineno ? (
          <button type="button" className="link-button" onClick={() => onOpenFile(path, frame.lineno!)} title="Open in the editor">
            {where}
          </button>
        ) : (
          <span>{where}</span>
        )}{' '}
        in <code>{frame.function ?? '?'}</code> {frame.inApp && <span className="badge">in app</span>}
      </div>
      {frame.contextLine !== undefined && frame.inApp && (
        <pre className="frame-context">
          {frame.preContext?.length ? <div>{frame.preContext.join('\n')}</div> : null}
          <div className="context-line">{frame.contextLine}</div>
          {frame.postContext?.length ? <div>{frame.postContext.join('\n')}</div> : null}
        </pre>
      )}
    </li>
  );
}
