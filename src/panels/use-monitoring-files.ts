/**
 * The dashboards and alert rules the Telemetry panel shows and edits, as the sandbox holds them
 * (monitoring/dashboards.json, monitoring/alerts.json, read and written through the session like any
 * file the learner edits). One place for the file model; the panels only render and call.
 */
import { useMemo } from 'react';
import type { AlertRule } from '../telemetry/alerts.ts';
import {
  ALERTS_FILE,
  DASHBOARDS_FILE,
  newId,
  parseAlertRules,
  parseDashboards,
  serialiseAlertRules,
  serialiseDashboards,
  type Dashboard,
  type Widget,
} from '../telemetry/monitoring.ts';
import type { SpanQuery } from '../telemetry/query.ts';

export function useMonitoringFiles(files: Record<string, string>, saveFile: (path: string, contents: string) => void) {
  const dashboardsText = files[DASHBOARDS_FILE];
  const alertsText = files[ALERTS_FILE];
  const dashboards = useMemo(() => parseDashboards(dashboardsText), [dashboardsText]);
  const rules = useMemo(() => parseAlertRules(alertsText), [alertsText]);
  const boards = dashboards.ok ? dashboards.value : [];
  const ruleList = rules.ok ? rules.value : [];
  const saveDashboards = (next: Dashboard[]) => saveFile(DASHBOARDS_FILE, serialiseDashboards(next));
  const saveRules = (next: AlertRule[]) => saveFile(ALERTS_FILE, serialiseAlertRules(next));

  return {
    dashboards: boards,
    /** Why dashboards.json cannot be read (the learner broke it by hand), if so: nothing is written over it. */
    dashboardsProblem: dashboards.ok ? undefined : dashboards.error,
    rules: ruleList,
    rulesProblem: rules.ok ? undefined : rules.error,
    /** A widget on the first dashboard (made when there is none). */
    addWidget(title: string, query: SpanQuery) {
      if (!dashboards.ok) return;
      const [first, ...rest] = boards.length ? boards : [{ id: 'checkout', title: 'Checkout', widgets: [] }];
      saveDashboards([{ ...first!, widgets: [...first!.widgets, { id: newId('widget'), title, query }] }, ...rest]);
    },
    removeWidget(widget: Widget) {
      if (dashboards.ok) saveDashboards(boards.map((board) => ({ ...board, widgets: board.widgets.filter((w) => w.id !== widget.id) })));
    },
    saveRule(rule: AlertRule) {
      if (rules.ok) saveRules([...ruleList, rule]);
    },
    deleteRule(rule: AlertRule) {
      if (rules.ok) saveRules(ruleList.filter((r) => r.id !== rule.id));
    },
  };
}
