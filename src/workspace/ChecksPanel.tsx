import type { CheckRun } from '../lessons/run-checks.ts';

interface Props {
  run: CheckRun | null;
  running: boolean;
  waitingForShop: boolean;
  /** A check ran out of time on a busy machine: the checks run a second time. */
  busy?: boolean;
  hasChecks: boolean;
}

/** Each checkpoint test with its result; a failure says what to look at. */
export function ChecksPanel({ run, running, waitingForShop, busy, hasChecks }: Props) {
  if (!hasChecks) return <p className="panel-note">This lesson has no checks.</p>;
  if (running && waitingForShop)
    return (
      <p className="panel-note" role="status">
        Waiting for the backend to restart with your change…
      </p>
    );
  if (running && busy)
    return (
      <p className="panel-note" role="status">
        The computer is busy: a check ran out of time, so the checks run again…
      </p>
    );
  if (running)
    return (
      <p className="panel-note" role="status">
        Running the checks in the sandbox…
      </p>
    );
  if (!run) return <p className="panel-note">Press Check to run this lesson’s checkpoint tests against your code.</p>;
  return (
    <div className="checks" role="status" aria-live="polite">
      <p className={run.passed ? 'checks-summary passed' : 'checks-summary failed'}>
        {run.passed
          ? 'All checks passed — lesson complete.'
          : `${run.results.filter((r) => r.status !== 'passed').length} of ${run.results.length} checks not passing yet.`}
        <span className="muted-id">{(run.durationMs / 1000).toFixed(1)} s</span>
      </p>
      {run.note && (
        <p className="checks-note" role="note">
          {run.note}
        </p>
      )}
      <ul className="check-list">
        {run.results.map((result) => (
          <li key={result.name} data-status={result.status}>
            <span className="check-icon" aria-hidden="true">
              {result.status === 'passed' ? '✓' : result.status === 'failed' ? '✗' : '–'}
            </span>
            <span>
              <span className="visually-hidden">{result.status}: </span>
              {result.name}
              {result.message && <span className="check-message">{result.message}</span>}
              {result.detail && (
                <details className="check-detail">
                  <summary>What the check compared</summary>
                  <pre>{result.detail}</pre>
                </details>
              )}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
