/**
 * Alert rules over spans, evaluated the way a metric alert is: the rule's aggregate over the last
 * windowMs, compared with a threshold, stepped through ok → firing → resolved. Pure: no timers, no
 * I/O; the caller feeds it spans and the clock (live, or a recorded stream through replay()).
 */
import type { Span } from './model.ts';
import { isRecord, show } from './json-shape.ts';
import { compileAggregate, type CompiledAggregate, describeAggregate, type SpanQuery, validateQuery } from './query.ts';

export type Comparison = 'below' | 'above';

export interface AlertRule {
  id: string;
  name: string;
  /** groupBy is ignored. */
  query: SpanQuery;
  comparison: Comparison;
  threshold: number;
  /** Evaluate the aggregate over the last windowMs. */
  windowMs: number;
  /** A named team channel, e.g. '#checkout-team'. */
  action: { channel: string };
}

export type AlertStatus = 'ok' | 'firing' | 'resolved';

export interface AlertTransition {
  status: AlertStatus;
  at: number;
  value: number | null;
}

export interface AlertState {
  ruleId: string;
  status: AlertStatus;
  /** When the current status began. */
  since: number;
  /** The last value evaluated (null: no data). */
  value: number | null;
  history: AlertTransition[];
}

export interface AlertNotification {
  ruleId: string;
  ruleName: string;
  channel: string;
  status: 'firing' | 'resolved';
  at: number;
  value: number | null;
  message: string;
}

// Compiling a filter is cheap, but replay() and a live loop evaluate the same rule many times.
const compiled = new WeakMap<SpanQuery, CompiledAggregate>();

function aggregatorFor(rule: AlertRule): CompiledAggregate {
  let aggregate = compiled.get(rule.query);
  if (!aggregate) {
    aggregate = compileAggregate(rule.query);
    compiled.set(rule.query, aggregate);
  }
  return aggregate;
}

/** The rule's aggregate over the spans that start in [now - windowMs, now]; null when there are no values (never for count). */
export function evaluateRule(rule: AlertRule, spans: readonly Span[], now: number): number | null {
  return aggregatorFor(rule)(spans, now - rule.windowMs, now);
}

/** No data (null) is never a breach; count is never null, so zero spans can breach "count below N". */
export function isBreached(rule: AlertRule, value: number | null): boolean {
  if (value === null || Number.isNaN(value)) return false;
  return rule.comparison === 'below' ? value < rule.threshold : value > rule.threshold;
}

export function initialState(rule: AlertRule, now: number): AlertState {
  return { ruleId: rule.id, status: 'ok', since: now, value: null, history: [] };
}

/** 60000 → "1 min", 30000 → "30 s", 90000 → "1.5 min", 7200000 → "2 h", 500 → "500 ms". */
export function formatWindow(ms: number): string {
  const round = (n: number): string => String(Math.round(n * 100) / 100);
  if (ms >= 3_600_000) return `${round(ms / 3_600_000)} h`;
  if (ms >= 60_000) return `${round(ms / 60_000)} min`;
  if (ms >= 1000) return `${round(ms / 1000)} s`;
  return `${round(ms)} ms`;
}

function formatValue(value: number | null): string {
  if (value === null) return 'no data';
  return String(Math.round(value * 100) / 100);
}

function messageFor(rule: AlertRule, status: 'firing' | 'resolved', value: number | null): string {
  const what = `${describeAggregate(rule.query)} is ${formatValue(value)}`;
  const over = `over the last ${formatWindow(rule.windowMs)}`;
  return status === 'firing'
    ? `${rule.name}: ${what} (${rule.comparison} ${rule.threshold}) ${over}`
    : `Resolved: ${rule.name}: ${what} (no longer ${rule.comparison} ${rule.threshold}) ${over}`;
}

/**
 * One evaluation. ok|resolved + breached → firing (notifies); firing + not breached with data →
 * resolved (notifies); anything else keeps the status and only records the value. A firing alert
 * with no data stays firing: silence is not recovery. Never mutates `state`.
 */
export function stepAlert(rule: AlertRule, state: AlertState, value: number | null, now: number): { state: AlertState; notification?: AlertNotification } {
  const breached = isBreached(rule, value);
  let next: 'firing' | 'resolved' | undefined;
  if (state.status !== 'firing' && breached) next = 'firing';
  else if (state.status === 'firing' && !breached && value !== null) next = 'resolved';
  if (!next) return { state: { ...state, value } };
  return {
    state: { ruleId: state.ruleId, status: next, since: now, value, history: [...state.history, { status: next, at: now, value }] },
    notification: {
      ruleId: rule.id,
      ruleName: rule.name,
      channel: rule.action.channel,
      status: next,
      at: now,
      value,
      message: messageFor(rule, next, value),
    },
  };
}

/** First index in `sorted` (by start) whose start is >= t (or > t when `after`). */
function lowerBound(sorted: readonly Span[], t: number, after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = sorted[mid]!.start;
    if (s < t || (after && s === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Evaluates the rule at from, from + everyMs, ... up to and including `to`, over a recorded
 * stream, as a live loop would have: each tick sees the spans that start in its window.
 */
export function replay(
  rule: AlertRule,
  spans: readonly Span[],
  from: number,
  to: number,
  everyMs: number,
): { state: AlertState; notifications: AlertNotification[] } {
  if (!(everyMs > 0) || !Number.isFinite(everyMs)) throw new RangeError(`replay: everyMs must be a positive number, got ${everyMs}`);
  const aggregate = aggregatorFor(rule);
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let state = initialState(rule, from);
  const notifications: AlertNotification[] = [];
  for (let i = 0; ; i++) {
    const now = from + i * everyMs;
    if (now > to) break;
    const windowStart = now - rule.windowMs;
    const value = aggregate(sorted, windowStart, now, lowerBound(sorted, windowStart, false), lowerBound(sorted, now, true));
    const step = stepAlert(rule, state, value, now);
    state = step.state;
    if (step.notification) notifications.push(step.notification);
  }
  return { state, notifications };
}

// ---------------------------------------------------------------------------------------------
// Validation of rules read from JSON (monitoring/alerts.json)

/** Checks a rule read from JSON; the error names the bad field, e.g. `threshold: expected a number, got "1"`. */
export function validateRule(input: unknown): { ok: true; rule: AlertRule } | { ok: false; error: string } {
  const fail = (error: string): { ok: false; error: string } => ({ ok: false, error });
  if (!isRecord(input)) return fail(`rule: expected an object, got ${show(input)}`);
  const label = typeof input.id === 'string' && input.id.trim() ? `rule "${input.id}": ` : '';
  const bad = (field: string, expected: string, got: unknown): { ok: false; error: string } => fail(`${label}${field}: expected ${expected}, got ${show(got)}`);

  const { id, name, query, comparison, threshold, windowMs, action } = input;
  if (typeof id !== 'string' || id.trim() === '') return bad('id', 'a non-empty string', id);
  if (typeof name !== 'string' || name.trim() === '') return bad('name', 'a non-empty string', name);
  const checkedQuery = validateQuery(query);
  if (!checkedQuery.ok) return fail(`${label}${checkedQuery.error}`);
  if (comparison !== 'below' && comparison !== 'above') return bad('comparison', '"below" or "above"', comparison);
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) return bad('threshold', 'a number', threshold);
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) return bad('windowMs', 'a positive number of milliseconds', windowMs);
  if (!isRecord(action)) return bad('action', 'an object like {"channel": "#checkout-team"}', action);
  const channel = action.channel;
  if (typeof channel !== 'string' || !/^#\S+$/.test(channel))
    return bad('action.channel', 'a team channel name starting with "#", e.g. "#checkout-team"', channel);

  return { ok: true, rule: { id, name, query: checkedQuery.query, comparison, threshold, windowMs, action: { channel } } };
}
