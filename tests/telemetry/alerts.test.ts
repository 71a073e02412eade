import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { type AlertNotification, type AlertRule, evaluateRule, initialState, isBreached, replay, stepAlert, validateRule } from '../../src/telemetry/alerts.ts';
import type { Span } from '../../src/telemetry/model.ts';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

interface Segment {
  /** How long this part of the stream lasts. */
  ms: number;
  /** items_at_checkout for the n-th checkout of the segment. */
  items: (n: number) => number;
  /** Whether the server span of the checkout fails. */
  error?: (n: number) => boolean;
}

/**
 * A recorded stream as the shop's SDKs would send it: a 'Submit Checkout Form' span from the browser
 * every `everyMs` (2 s), each with the backend's 'POST /api/checkout' server span in the same trace.
 */
function stream(segments: Segment[], everyMs = 2 * SECOND, start = T0): Span[] {
  const spans: Span[] = [];
  let t = start;
  let k = 0;
  for (const segment of segments) {
    const end = t + segment.ms;
    for (let n = 0; t < end; n++, t += everyMs, k++) {
      const traceId = `trace-${k}`;
      spans.push({
        traceId,
        spanId: `ui-${k}`,
        name: 'Submit Checkout Form',
        op: 'ui.action',
        status: 'ok',
        start: t,
        end: t + 150,
        attributes: { items_at_checkout: segment.items(n) },
        service: 'frontend',
        sdk: 'sentry.javascript.browser',
        isSegment: true,
      });
      spans.push({
        traceId,
        spanId: `srv-${k}`,
        parentSpanId: `ui-${k}`,
        name: 'POST /api/checkout',
        op: 'http.server',
        status: segment.error?.(n) ? 'error' : 'ok',
        start: t + 20,
        end: t + 120,
        attributes: { 'http.route': '/api/checkout', items_at_checkout: 99 },
        service: 'backend',
        sdk: 'sentry.javascript.node',
        isSegment: true,
      });
    }
  }
  return spans;
}

const healthy = (ms: number): Segment => ({ ms, items: (n) => 1 + (n % 4) });
const dropOff = (ms: number): Segment => ({ ms, items: () => 0 });

const itemsRule: AlertRule = {
  id: 'checkout-items-dropped',
  name: 'Checkout items dropped',
  query: { filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' },
  comparison: 'below',
  threshold: 1,
  windowMs: MINUTE,
  action: { channel: '#checkout-team' },
};

const errorsRule: AlertRule = {
  id: 'checkout-errors',
  name: 'Checkout errors',
  query: { filter: 'span.status:error', aggregate: 'count' },
  comparison: 'above',
  threshold: 5,
  windowMs: MINUTE,
  action: { channel: '#checkout-team' },
};

const statuses = (notifications: AlertNotification[]) => notifications.map((n) => n.status);

describe('replay over a recorded checkout stream', () => {
  test('fires once on the drop-off, after it began, and resolves once items come back', () => {
    const dropAt = T0 + 10 * MINUTE;
    const recoverAt = T0 + 15 * MINUTE;
    const spans = stream([healthy(10 * MINUTE), dropOff(5 * MINUTE), healthy(10 * MINUTE)]);
    const { state, notifications } = replay(itemsRule, spans, T0, T0 + 25 * MINUTE, 10 * SECOND);

    expect(statuses(notifications)).toEqual(['firing', 'resolved']);
    const [fired, resolved] = notifications as [AlertNotification, AlertNotification];
    // The window has to fill with zeros first: 60 s of 2.5 on average needs > 36 s of zeros to fall below 1.
    expect(fired.at).toBeGreaterThan(dropAt + 30 * SECOND);
    expect(fired.at).toBeLessThanOrEqual(dropAt + MINUTE);
    expect(fired.value).toBeLessThan(1);
    expect(fired).toMatchObject({ ruleId: 'checkout-items-dropped', ruleName: 'Checkout items dropped', channel: '#checkout-team' });
    expect(fired.message).toMatch(/^Checkout items dropped: avg\(items_at_checkout\) is 0\.\d+ \(below 1\) over the last 1 min$/);

    expect(resolved.at).toBeGreaterThan(recoverAt);
    expect(resolved.at).toBeLessThanOrEqual(recoverAt + MINUTE);
    expect(resolved.value).toBeGreaterThanOrEqual(1);
    expect(resolved.message).toContain('no longer below 1');

    expect(state.status).toBe('resolved');
    expect(state.since).toBe(resolved.at);
    expect(state.history).toEqual([
      { status: 'firing', at: fired.at, value: fired.value },
      { status: 'resolved', at: resolved.at, value: resolved.value },
    ]);
    // At the end the last minute is all healthy checkouts: 1, 2, 3, 4 repeating (31 of them in a closed minute).
    expect(state.value).toBeGreaterThan(2.4);
    expect(state.value).toBeLessThan(2.6);
  });

  test('stays quiet on a healthy stream', () => {
    const spans = stream([healthy(30 * MINUTE)]);
    const { state, notifications } = replay(itemsRule, spans, T0, T0 + 30 * MINUTE, 5 * SECOND);
    expect(notifications).toEqual([]);
    expect(state.status).toBe('ok');
    expect(state.history).toEqual([]);
    expect(state.value).toBeGreaterThanOrEqual(2);
  });

  test('a drop shorter than it takes to pull the minute average below 1 does not fire', () => {
    const spans = stream([healthy(5 * MINUTE), dropOff(20 * SECOND), healthy(5 * MINUTE)]);
    expect(replay(itemsRule, spans, T0, T0 + 10 * MINUTE, 5 * SECOND).notifications).toEqual([]);
  });

  test('no data is not a breach: an empty stream stays ok, and a firing alert does not resolve on silence', () => {
    const empty = replay(itemsRule, [], T0, T0 + 10 * MINUTE, 10 * SECOND);
    expect(empty.notifications).toEqual([]);
    expect(empty.state).toMatchObject({ status: 'ok', value: null, history: [] });

    // The shop goes quiet during the drop-off: the alert stays firing through the silence.
    const spans = stream([healthy(5 * MINUTE), dropOff(2 * MINUTE)]);
    const { state, notifications } = replay(itemsRule, spans, T0, T0 + 12 * MINUTE, 10 * SECOND);
    expect(statuses(notifications)).toEqual(['firing']);
    expect(state.status).toBe('firing');
    expect(state.value).toBeNull();
  });

  test('an "above" rule on the count of errors fires on a burst and resolves after it', () => {
    const burstAt = T0 + 5 * MINUTE;
    const spans = stream([
      { ...healthy(5 * MINUTE), error: (n) => n % 30 === 0 }, // one error a minute
      { ...healthy(2 * MINUTE), error: (n) => n % 3 === 0 }, // ten a minute
      healthy(5 * MINUTE),
    ]);
    const { state, notifications } = replay(errorsRule, spans, T0, T0 + 12 * MINUTE, 10 * SECOND);
    expect(statuses(notifications)).toEqual(['firing', 'resolved']);
    const [fired, resolved] = notifications as [AlertNotification, AlertNotification];
    // Burst errors start at +0.02 s, +6.02 s, ...: at the +30 s tick 5 are in the window, at +40 s 7.
    expect(fired.at).toBe(burstAt + 40 * SECOND);
    expect(fired.value).toBe(7);
    expect(fired.message).toBe('Checkout errors: count() is 7 (above 5) over the last 1 min');
    expect(resolved.at).toBeGreaterThan(burstAt + 2 * MINUTE);
    expect(resolved.value).toBeLessThanOrEqual(5);
    expect(state.status).toBe('resolved');
  });

  test('replay agrees with evaluating the rule tick by tick, whatever the order of the spans', () => {
    const spans = stream([healthy(3 * MINUTE), dropOff(2 * MINUTE), healthy(2 * MINUTE)]).reverse();
    let state = initialState(itemsRule, T0);
    const expected: AlertNotification[] = [];
    for (let now = T0; now <= T0 + 7 * MINUTE; now += 7 * SECOND) {
      const step = stepAlert(itemsRule, state, evaluateRule(itemsRule, spans, now), now);
      state = step.state;
      if (step.notification) expected.push(step.notification);
    }
    const replayed = replay(itemsRule, spans, T0, T0 + 7 * MINUTE, 7 * SECOND);
    expect(replayed.notifications).toEqual(expected);
    expect(replayed.state).toEqual(state);
    expect(expected.length).toBe(2);
  });

  test('replay rejects a non-positive step', () => {
    expect(() => replay(itemsRule, [], T0, T0 + MINUTE, 0)).toThrow(/everyMs/);
  });
});

describe('evaluateRule', () => {
  test('reads only the matching spans that start in [now - windowMs, now]', () => {
    const spans = stream([{ ms: 10 * SECOND, items: (n) => n }], 2 * SECOND); // items 0..4 at T0, T0+2s, ... T0+8s
    // The backend spans carry items_at_checkout: 99 but the filter leaves them out.
    expect(evaluateRule(itemsRule, spans, T0 + 8 * SECOND)).toBe(2);
    const short = { ...itemsRule, windowMs: 4 * SECOND };
    expect(evaluateRule(short, spans, T0 + 8 * SECOND)).toBe(3); // T0+4s, +6s, +8s: both ends included
    expect(evaluateRule(short, spans, T0 + 8 * SECOND - 1)).toBe(2.5); // T0+4s, +6s
    expect(evaluateRule(short, spans, T0 - 1)).toBeNull();
    expect(evaluateRule({ ...errorsRule, query: { filter: 'span.name:"Submit Checkout Form"', aggregate: 'count' } }, spans, T0 + 8 * SECOND)).toBe(5);
    expect(evaluateRule(errorsRule, spans, T0 + 8 * SECOND)).toBe(0);
  });

  test('a bad filter throws a clear error', () => {
    expect(() => evaluateRule({ ...itemsRule, query: { ...itemsRule.query, filter: 'span.name:"Submit' } }, [], T0)).toThrow(/unterminated quote/i);
  });
});

describe('isBreached and stepAlert', () => {
  test('thresholds are strict; no data never breaches, zero spans counted can', () => {
    expect(isBreached(itemsRule, 0.99)).toBe(true);
    expect(isBreached(itemsRule, 1)).toBe(false);
    expect(isBreached(itemsRule, null)).toBe(false);
    expect(isBreached(errorsRule, 5)).toBe(false);
    expect(isBreached(errorsRule, 6)).toBe(true);
    const noCheckouts: AlertRule = {
      ...errorsRule,
      query: { filter: 'span.name:"Submit Checkout Form"', aggregate: 'count' },
      comparison: 'below',
      threshold: 1,
    };
    expect(isBreached(noCheckouts, evaluateRule(noCheckouts, [], T0))).toBe(true);
  });

  test('transitions, notifications and an immutable history', () => {
    const start = initialState(itemsRule, T0);
    expect(start).toEqual({ ruleId: 'checkout-items-dropped', status: 'ok', since: T0, value: null, history: [] });

    const quiet = stepAlert(itemsRule, start, 2.5, T0 + 1);
    expect(quiet.notification).toBeUndefined();
    expect(quiet.state).toEqual({ ...start, value: 2.5 });

    const fired = stepAlert(itemsRule, quiet.state, 0, T0 + 2);
    expect(fired.notification).toEqual({
      ruleId: 'checkout-items-dropped',
      ruleName: 'Checkout items dropped',
      channel: '#checkout-team',
      status: 'firing',
      at: T0 + 2,
      value: 0,
      message: 'Checkout items dropped: avg(items_at_checkout) is 0 (below 1) over the last 1 min',
    });
    expect(fired.state).toMatchObject({ status: 'firing', since: T0 + 2, value: 0 });
    expect(quiet.state.history).toEqual([]); // not mutated

    const still = stepAlert(itemsRule, fired.state, 0.5, T0 + 3);
    expect(still.notification).toBeUndefined();
    expect(still.state).toMatchObject({ status: 'firing', since: T0 + 2, value: 0.5 });

    const silent = stepAlert(itemsRule, still.state, null, T0 + 4);
    expect(silent.notification).toBeUndefined();
    expect(silent.state.status).toBe('firing');

    const resolved = stepAlert(itemsRule, silent.state, 1.25, T0 + 5);
    expect(resolved.notification).toMatchObject({ status: 'resolved', at: T0 + 5, value: 1.25 });
    expect(resolved.notification!.message).toBe('Resolved: Checkout items dropped: avg(items_at_checkout) is 1.25 (no longer below 1) over the last 1 min');
    expect(resolved.state.history.map((h) => h.status)).toEqual(['firing', 'resolved']);
    expect(fired.state.history).toHaveLength(1);

    const again = stepAlert(itemsRule, resolved.state, 0.2, T0 + 6);
    expect(again.notification?.status).toBe('firing');
    expect(again.state.history.map((h) => h.status)).toEqual(['firing', 'resolved', 'firing']);
  });
});

describe('validateRule', () => {
  const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(itemsRule)) as Record<string, unknown>;

  test('accepts a rule as monitoring/alerts.json writes it', () => {
    const result = validateRule(json());
    expect(result).toEqual({ ok: true, rule: itemsRule });
    const count = validateRule({ ...json(), query: { aggregate: 'count' } });
    expect(count.ok && count.rule.query).toEqual({ filter: '', aggregate: 'count' });
  });

  const rejects = (input: unknown, pattern: RegExp) => {
    const result = validateRule(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(pattern);
  };

  test('rejects bad input with a message naming the bad field', () => {
    rejects(null, /^rule: expected an object/);
    rejects([], /^rule: expected an object/);
    rejects({ ...json(), id: '' }, /^id: expected a non-empty string/);
    rejects({ ...json(), name: 3 }, /rule "checkout-items-dropped": name: expected a non-empty string, got 3/);
    rejects({ ...json(), query: 'avg(items)' }, /query: expected an object/);
    rejects({ ...json(), query: { ...itemsRule.query, filter: 'span.name:"Submit' } }, /query\.filter: Unterminated quote/);
    rejects({ ...json(), query: { ...itemsRule.query, filter: 42 } }, /query\.filter: expected a search string, got 42/);
    rejects({ ...json(), query: { ...itemsRule.query, aggregate: 'mean' } }, /query\.aggregate: expected one of count, sum, avg.*got "mean"/);
    rejects({ ...json(), query: { filter: '', aggregate: 'p95' } }, /query\.field: expected the field p95\(\) reads/);
    rejects({ ...json(), comparison: 'under' }, /comparison: expected "below" or "above", got "under"/);
    rejects({ ...json(), threshold: '1' }, /threshold: expected a number, got "1"/);
    rejects({ ...json(), windowMs: 0 }, /windowMs: expected a positive number of milliseconds, got 0/);
    rejects({ ...json(), windowMs: undefined }, /windowMs: .* got nothing/);
    rejects({ ...json(), action: undefined }, /action: expected an object/);
    rejects({ ...json(), action: { channel: 'checkout-team' } }, /action\.channel: expected a team channel name starting with "#"/);
  });
});

describe('on streams recorded from the real shop (lesson 9 ships them to its checks)', () => {
  const recording = (name: string): Span[] =>
    JSON.parse(readFileSync(new URL(`../../content/lessons/09-dont-watch-get-alerted/checks/recordings/${name}.json`, import.meta.url), 'utf8'));
  const rule: AlertRule = {
    id: 'checkout-items',
    name: 'Checkout items dropped',
    query: { filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' },
    comparison: 'below',
    threshold: 1,
    windowMs: 30 * SECOND,
    action: { channel: '#checkout-team' },
  };
  const bounds = (spans: Span[]) => [Math.min(...spans.map((s) => s.start)), Math.max(...spans.map((s) => s.end))] as const;

  test('stays quiet on the healthy recording', () => {
    const healthy = recording('healthy');
    const [from, to] = bounds(healthy);
    expect(replay(rule, healthy, from + 10 * SECOND, to, SECOND).notifications).toEqual([]);
  });

  test('fires once the drop-off fills the window, and resolves when healthy checkouts come back', () => {
    const dropOff = recording('drop-off');
    const [from, dropEnd] = bounds(dropOff);
    const firstEmpty = Math.min(...dropOff.filter((s) => s.attributes.items_at_checkout === 0).map((s) => s.start));
    // Recovery: the healthy recording replayed right after the drop-off, as if the fix shipped then.
    const healthy = recording('healthy');
    const shift = dropEnd + SECOND - bounds(healthy)[0];
    const recovered = [...dropOff, ...healthy.map((s) => ({ ...s, start: s.start + shift, end: s.end + shift }))];
    const { notifications, state } = replay(rule, recovered, from + 10 * SECOND, bounds(recovered)[1], SECOND);
    expect(notifications.map((n) => n.status)).toEqual(['firing', 'resolved']);
    expect(notifications[0]!.at).toBeGreaterThan(firstEmpty);
    expect(notifications[0]!.at).toBeLessThan(firstEmpty + rule.windowMs);
    expect(notifications[1]!.at).toBeGreaterThan(dropEnd);
    expect(state.history.map((h) => h.status)).toEqual(['firing', 'resolved']);
  });
});
