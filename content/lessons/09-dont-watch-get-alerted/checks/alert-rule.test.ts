import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { replay, type AlertRule } from './telemetry-engine/alerts.ts';
import type { Span } from './telemetry-engine/model.ts';
import { ALERTS_FILE, parseAlertRules } from './telemetry-engine/monitoring.ts';
import { compileFilter, describeQuery, fieldValue } from './telemetry-engine/query.ts';

/**
 * Two streams of real telemetry, recorded from the shopper simulator against the real shop (see
 * recordings/README.md): 90 s of healthy checkouts, and a drop-off: 2 min healthy, then lesson 6's
 * change ships and 14 min of empty checkouts follow, long enough for the longest window the
 * Alerts form offers (15 min) to fall below any sensible threshold.
 */
const recording = async (name: string): Promise<Span[]> => JSON.parse(await readFile(new URL(`./recordings/${name}.json`, import.meta.url), 'utf8'));

async function rules(): Promise<AlertRule[]> {
  const text = await readFile(ALERTS_FILE, 'utf8').catch(() => undefined);
  expect(text, `There is no ${ALERTS_FILE} yet. From the dashboard widget, "Open in Explore", then "Create alert" and "Save alert".`).toBeDefined();
  const parsed = parseAlertRules(text);
  if (!parsed.ok) throw new Error(parsed.error);
  expect(parsed.value.length, `${ALERTS_FILE} has no rules yet.`).toBeGreaterThan(0);
  return parsed.value;
}

function replayOver(rule: AlertRule, spans: Span[]) {
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  // Start once a few checkouts are in, as a rule switched on with the shop running would.
  return replay(rule, spans, start + 10_000, end, 5000);
}

const CHECKOUT = 'Submit Checkout Form';
const WHAT_TO_WATCH = `Alert on the span metric the dashboard shows: items_at_checkout of the "${CHECKOUT}" spans (from its widget, "Open in Explore", then "Create alert").`;

/**
 * Whether a rule watches the lesson's span metric, judged by what its query reads in a recording:
 * only checkout spans (some of them at least), and their items_at_checkout.
 */
function onTheSpanMetric(rule: AlertRule, spans: Span[]): boolean {
  const picked = spans.filter(compileFilter(rule.query.filter));
  if (picked.length === 0 || picked.some((span) => span.name !== CHECKOUT) || !rule.query.field) return false;
  return picked.every((span) => fieldValue(span, rule.query.field!) === span.attributes.items_at_checkout);
}

/** When lesson 6's change shipped in the drop-off recording: its first checkout with an empty cart. */
const shippedAt = (spans: Span[]) =>
  Math.min(...spans.filter((s) => s.name === 'Submit Checkout Form' && s.attributes.items_at_checkout === 0).map((s) => s.start));

test('an alert rule watches the checkout span metric: items_at_checkout of the "Submit Checkout Form" spans', async () => {
  const spans = await recording('drop-off');
  const all = await rules();
  expect(
    all.some((rule) => onTheSpanMetric(rule, spans)),
    `${all.map((rule) => `"${rule.name}" watches ${describeQuery(rule.query)}.`).join(' ')} ${WHAT_TO_WATCH}`,
  ).toBe(true);
});

test('an alert rule routes its notification to a team channel', async () => {
  for (const rule of await rules()) expect(rule.action.channel, `"${rule.name}" has no channel`).toMatch(/^#\S+/);
});

test('each rule looks at a window of seconds to minutes, given in milliseconds', async () => {
  for (const rule of await rules()) {
    expect(
      rule.windowMs,
      `"${rule.name}" averages over ${rule.windowMs} ms: windowMs is in milliseconds, so a minute is 60000, not 60. The Alerts form offers 30 s to 15 min.`,
    ).toBeGreaterThanOrEqual(1000);
  }
});

test('the rule fires on a recorded drop-off in items at checkout', async () => {
  const dropOff = await recording('drop-off');
  const shipped = shippedAt(dropOff);
  const firings = (await rules()).map((rule) => ({
    rule,
    at: replayOver(rule, dropOff)
      .notifications.filter((n) => n.status === 'firing')
      .map((n) => n.at),
  }));
  const early = firings.filter(({ at }) => at.some((t) => t < shipped));
  expect(
    early.map(({ rule }) => rule.name),
    'These rules fire before the drop-off, on healthy checkouts: the comparison points the wrong way, or the threshold sits within normal traffic.',
  ).toEqual([]);
  // Another signal that also fires during this outage (failed requests, say) would miss the next one: the drop-off counts on the span metric.
  expect(
    firings.filter(({ rule, at }) => onTheSpanMetric(rule, dropOff) && at.some((t) => t >= shipped)).map(({ rule }) => rule.name),
    'No rule on items_at_checkout fired while checkouts fell to 0 items. Alert when avg(items_at_checkout) of "Submit Checkout Form" spans is below ' +
      '1 over a window of a minute or so.',
  ).not.toEqual([]);
});

test('the rule stays quiet on a healthy recording', async () => {
  const healthy = await recording('healthy');
  const noisy = (await rules()).filter((rule) => replayOver(rule, healthy).notifications.length > 0);
  expect(
    noisy.map((rule) => rule.name),
    'These rules fire on a healthy shop too: the threshold is too tight, or the comparison points the wrong way.',
  ).toEqual([]);
});
