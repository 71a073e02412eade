import { useEffect, useState, type FormEvent } from 'react';
import type { ForwardStatus } from '../session/sentry-forwarding.ts';
import { useSession } from '../workspace/use-session.ts';

const time = (at: number) => new Date(at).toLocaleTimeString();
const hostOf = (dsn: string): string => (URL.canParse(dsn) ? new URL(dsn).host : dsn);

function describe(status: ForwardStatus | null, dsn: string): string {
  if (!status) return `Forwarding to ${hostOf(dsn)} once the shop runs…`;
  if (status.problem) return `Not forwarding: ${status.problem}`;
  const counts = `${status.forwarded} envelope${status.forwarded === 1 ? '' : 's'} forwarded`;
  const more = [status.queued ? `${status.queued} waiting` : '', status.dropped ? `${status.dropped} dropped` : ''].filter(Boolean);
  return `${counts}${more.length ? ` (${more.join(', ')})` : ''} to ${hostOf(dsn)}.`;
}

/**
 * "Send to your own Sentry": a DSN kept in this browser only; the shop's collector forwards every
 * envelope to that project as well, and this says how many went and the last thing that went wrong.
 */
export function ForwardToSentry() {
  const [state, session] = useSession();
  const { dsn, status } = state.forwarding;
  const [draft, setDraft] = useState(dsn ?? '');
  useEffect(() => setDraft(dsn ?? ''), [dsn]);
  const save = (event: FormEvent) => {
    event.preventDefault();
    session.forwarding.setDsn(draft);
  };
  return (
    <details className="forward-to-sentry" data-forwarding={dsn ? 'on' : 'off'}>
      <summary>{dsn ? `Your own Sentry: ${status && !status.problem ? `${status.forwarded} forwarded` : 'on'}` : 'Send to your own Sentry'}</summary>
      <form onSubmit={save}>
        <label>
          DSN of your Sentry project (Settings → Client Keys); kept in this browser only
          <input
            type="text"
            value={draft}
            spellCheck={false}
            autoComplete="off"
            placeholder="https://<key>@<org>.ingest.sentry.io/<project>"
            onChange={(event) => setDraft(event.target.value)}
          />
        </label>
        <button type="submit" className="button small primary" disabled={!draft.trim() || draft.trim() === dsn}>
          Forward
        </button>
        {dsn && (
          <button type="button" className="button small" onClick={() => session.forwarding.setDsn(null)}>
            Stop forwarding
          </button>
        )}
      </form>
      {dsn && (
        <p role="status" data-testid="forward-status">
          {describe(status, dsn)}
          {status?.lastError && (
            <>
              {' '}
              Last problem ({time(status.lastError.at)}): {status.lastError.message}.
            </>
          )}
          {status?.retryAt && <> Sending again at {time(status.retryAt)}.</>}
        </p>
      )}
    </details>
  );
}
