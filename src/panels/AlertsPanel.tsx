import { useState, type FormEvent } from 'react';
import { formatWindow, type AlertNotification, type AlertRule, type AlertState, type Comparison } from '../telemetry/alerts.ts';
import { newId } from '../telemetry/monitoring.ts';
import { describeQuery, type SpanQuery } from '../telemetry/query.ts';
import { formatValue } from './ExplorePanel.tsx';

interface Props {
  rules: AlertRule[];
  states: Record<string, AlertState>;
  notifications: AlertNotification[];
  /** A query handed over by "Create alert", to prefill a new rule. */
  draft: SpanQuery | null;
  problem?: string;
  onSave: (rule: AlertRule) => void;
  onDelete: (rule: AlertRule) => void;
  onDraftDone: () => void;
}

const WINDOWS = [30_000, 60_000, 5 * 60_000, 15 * 60_000];
const STATUS_LABEL = { ok: 'OK', firing: 'Firing', resolved: 'Resolved' } as const;
const time = (at: number) => new Date(at).toLocaleTimeString();

function RuleForm({ query, onSave, onCancel }: { query: SpanQuery; onSave: (rule: AlertRule) => void; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [comparison, setComparison] = useState<Comparison>('below');
  const [threshold, setThreshold] = useState('1');
  const [windowMs, setWindowMs] = useState(60_000);
  const [channel, setChannel] = useState('#checkout-team');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = Number(threshold);
    if (!name.trim()) return setError('Give the rule a name, so the notification says what broke.');
    if (threshold.trim() === '' || !Number.isFinite(value)) return setError('The threshold must be a number.');
    if (!/^#\S+$/.test(channel.trim())) return setError('A channel starts with “#”, e.g. #checkout-team.');
    onSave({
      id: newId('alert'),
      name: name.trim(),
      query: { filter: query.filter, aggregate: query.aggregate, ...(query.field ? { field: query.field } : {}) },
      comparison,
      threshold: value,
      windowMs,
      action: { channel: channel.trim() },
    });
  };

  return (
    <form className="rule-form" aria-label="New alert rule" onSubmit={submit}>
      <p className="widget-query">When {describeQuery(query)}</p>
      <label>
        Name
        <input value={name} onChange={(event) => setName(event.target.value)} placeholder="Checkout items dropped" />
      </label>
      <label>
        Is
        <select value={comparison} onChange={(event) => setComparison(event.target.value as Comparison)}>
          <option value="below">below</option>
          <option value="above">above</option>
        </select>
      </label>
      <label>
        Threshold
        <input inputMode="decimal" value={threshold} onChange={(event) => setThreshold(event.target.value)} />
      </label>
      <label>
        Window
        <select value={windowMs} onChange={(event) => setWindowMs(Number(event.target.value))}>
          {WINDOWS.map((ms) => (
            <option key={ms} value={ms}>
              {formatWindow(ms)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Notify channel
        <input value={channel} onChange={(event) => setChannel(event.target.value)} />
      </label>
      {error && (
        <p className="query-error" role="alert">
          {error}
        </p>
      )}
      <div className="query-actions">
        <button type="submit" className="button primary">
          Save alert
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Alert rules (monitoring/alerts.json), their live state and history, and the team channels' feed. */
export function AlertsPanel({ rules, states, notifications, draft, problem, onSave, onDelete, onDraftDone }: Props) {
  const channels = [...new Set(rules.map((rule) => rule.action.channel))];
  return (
    <div className="alerts">
      {problem && (
        <p className="query-error" role="alert">
          {problem} Fix the file in the editor, or remove it to start again.
        </p>
      )}
      {draft && (
        <RuleForm
          query={draft}
          onSave={(rule) => {
            onSave(rule);
            onDraftDone();
          }}
          onCancel={onDraftDone}
        />
      )}
      {rules.length === 0 && !draft && <p className="panel-note">No alert rules yet. In Explore, build the query to watch and press “Create alert”.</p>}
      <ul className="rule-list" aria-label="Alert rules">
        {rules.map((rule) => {
          const state = states[rule.id];
          const status = state?.status ?? 'ok';
          return (
            <li key={rule.id} className="rule" data-status={status}>
              <div className="rule-head">
                <strong>{rule.name}</strong>
                <span className="status-badge" data-status={status}>
                  <span className="visually-hidden">Status: </span>
                  {STATUS_LABEL[status]}
                </span>
                <button type="button" className="link-button" onClick={() => onDelete(rule)} aria-label={`Delete alert ${rule.name}`}>
                  Delete
                </button>
              </div>
              <p className="widget-query">
                {describeQuery(rule.query)} {rule.comparison} {rule.threshold} over {formatWindow(rule.windowMs)} → {rule.action.channel} · now{' '}
                {formatValue(state?.value ?? null)}
              </p>
              {state && state.history.length > 0 && (
                <ol className="rule-history" aria-label={`History of ${rule.name}`}>
                  {state.history.map((entry) => (
                    <li key={entry.at}>
                      {time(entry.at)}: {STATUS_LABEL[entry.status]} at {formatValue(entry.value)}
                    </li>
                  ))}
                </ol>
              )}
            </li>
          );
        })}
      </ul>
      {channels.map((channel) => (
        <section key={channel} className="channel" aria-label={`Channel ${channel}`}>
          <h3>{channel}</h3>
          <ul aria-live="polite">
            {notifications.filter((n) => n.channel === channel).length === 0 && (
              <li className="panel-note">Nothing yet. Notifications for this team land here.</li>
            )}
            {notifications
              .filter((n) => n.channel === channel)
              .map((n) => (
                <li key={`${n.ruleId}-${n.at}`} className="notification" data-status={n.status}>
                  <time>{time(n.at)}</time>{' '}
                  <span className="status-badge" data-status={n.status}>
                    {STATUS_LABEL[n.status]}
                  </span>{' '}
                  {n.message}
                </li>
              ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
