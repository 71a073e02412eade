/**
 * The sandbox's monitoring/ folder: dashboards and alert rules as JSON files the UI writes and a
 * checkpoint test reads. Pure: parse (with errors a learner can act on) and serialise.
 */
import { validateRule, type AlertRule } from './alerts.ts';
import { isRecord } from './json-shape.ts';
import { validateQuery, type SpanQuery } from './query.ts';

export const DASHBOARDS_FILE = 'monitoring/dashboards.json';
export const ALERTS_FILE = 'monitoring/alerts.json';

export interface Widget {
  id: string;
  title: string;
  query: SpanQuery;
}

export interface Dashboard {
  id: string;
  title: string;
  widgets: Widget[];
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function readJson(text: string | undefined, file: string): Parsed<unknown> {
  if (text === undefined || text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `${file} is not valid JSON: ${(error as Error).message}` };
  }
}

/** monitoring/dashboards.json → dashboards; a missing or empty file is no dashboards. */
export function parseDashboards(text: string | undefined): Parsed<Dashboard[]> {
  const json = readJson(text, DASHBOARDS_FILE);
  if (!json.ok) return json;
  if (json.value === undefined) return { ok: true, value: [] };
  if (!isRecord(json.value) || !Array.isArray(json.value.dashboards)) return { ok: false, error: `${DASHBOARDS_FILE}: expected {"dashboards": [...]}` };
  const dashboards: Dashboard[] = [];
  for (const [d, board] of json.value.dashboards.entries()) {
    if (!isRecord(board) || typeof board.id !== 'string' || !Array.isArray(board.widgets))
      return { ok: false, error: `dashboards[${d}]: expected {"id", "title", "widgets": [...]}` };
    const widgets: Widget[] = [];
    for (const [w, widget] of board.widgets.entries()) {
      const where = `dashboards[${d}].widgets[${w}]`;
      if (!isRecord(widget) || typeof widget.id !== 'string' || typeof widget.title !== 'string')
        return { ok: false, error: `${where}: expected {"id", "title", "query"}` };
      const query = validateQuery(widget.query, `${where}.query`);
      if (!query.ok) return query;
      widgets.push({ id: widget.id, title: widget.title, query: query.query });
    }
    dashboards.push({ id: board.id, title: typeof board.title === 'string' ? board.title : board.id, widgets });
  }
  return { ok: true, value: dashboards };
}

/** monitoring/alerts.json → rules; a missing or empty file is no rules. */
export function parseAlertRules(text: string | undefined): Parsed<AlertRule[]> {
  const json = readJson(text, ALERTS_FILE);
  if (!json.ok) return json;
  if (json.value === undefined) return { ok: true, value: [] };
  if (!isRecord(json.value) || !Array.isArray(json.value.rules)) return { ok: false, error: `${ALERTS_FILE}: expected {"rules": [...]}` };
  const rules: AlertRule[] = [];
  for (const input of json.value.rules) {
    const checked = validateRule(input);
    if (!checked.ok) return { ok: false, error: `${ALERTS_FILE}: ${checked.error}` };
    rules.push(checked.rule);
  }
  return { ok: true, value: rules };
}

export const serialiseDashboards = (dashboards: Dashboard[]) => `${JSON.stringify({ dashboards }, null, 2)}\n`;
export const serialiseAlertRules = (rules: AlertRule[]) => `${JSON.stringify({ rules }, null, 2)}\n`;

/** A short id for a new widget or rule, unique enough within one file. */
export const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
