import { describe, expect, test } from 'vitest';
import { parseAlertRules, parseDashboards, serialiseAlertRules, serialiseDashboards, type Dashboard } from '../../src/telemetry/monitoring.ts';

const checkout: Dashboard = {
  id: 'checkout',
  title: 'Checkout',
  widgets: [{ id: 'w1', title: 'Items at checkout', query: { filter: 'span.name:"Submit Checkout Form"', aggregate: 'avg', field: 'items_at_checkout' } }],
};

describe('monitoring/dashboards.json', () => {
  test('reads back what the UI writes; a missing or empty file is no dashboards', () => {
    expect(parseDashboards(serialiseDashboards([checkout]))).toEqual({ ok: true, value: [checkout] });
    expect(parseDashboards(undefined)).toEqual({ ok: true, value: [] });
    expect(parseDashboards('  \n')).toEqual({ ok: true, value: [] });
  });

  test('a hand edit that breaks the file says where', () => {
    expect(parseDashboards('{"dashboards": [')).toMatchObject({ ok: false, error: expect.stringMatching(/^monitoring\/dashboards\.json is not valid JSON/) });
    const badAggregate = JSON.stringify({ dashboards: [{ ...checkout, widgets: [{ ...checkout.widgets[0], query: { aggregate: 'mean', field: 'x' } }] }] });
    expect(parseDashboards(badAggregate)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^dashboards\[0\]\.widgets\[0\]\.query\.aggregate: expected one of .*got "mean"/),
    });
  });
});

describe('monitoring/alerts.json', () => {
  test('reads back what the UI writes, and names a bad rule', () => {
    const rule = {
      id: 'r1',
      name: 'Checkout items dropped',
      query: checkout.widgets[0]!.query,
      comparison: 'below' as const,
      threshold: 1,
      windowMs: 60_000,
      action: { channel: '#checkout-team' },
    };
    expect(parseAlertRules(serialiseAlertRules([rule]))).toEqual({ ok: true, value: [rule] });
    expect(parseAlertRules(JSON.stringify({ rules: [{ ...rule, threshold: 'one' }] }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^monitoring\/alerts\.json: rule "r1": threshold: expected a number/),
    });
  });
});
