/**
 * The search language of the Issues panel: the same as for spans (query.ts), over an issue's
 * fields. `error.type:TypeError`, `service:backend`, `count:>3`, `culprit:inventory.ts`, free text.
 */
import type { AttributeValue } from './model.ts';
import type { FilterSchema } from './query.ts';
import type { Issue } from './store.ts';

const FIELDS: Record<string, (issue: Issue) => AttributeValue | undefined> = {
  'error.type': (issue) => issue.type,
  'error.value': (issue) => issue.value,
  culprit: (issue) => issue.culprit?.file,
  service: (issue) => issue.service,
  count: (issue) => issue.count,
  trace: (issue) => issue.traceIds,
};

export const ISSUE_FILTER: FilterSchema<Issue> = {
  field: (name) => FIELDS[name] ?? (() => undefined),
  text: (issue) => `${issue.type} ${issue.value} ${issue.culprit?.file ?? ''}`,
  isDuration: () => false,
};
