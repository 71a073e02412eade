import { describe, expect, test } from 'vitest';
import { ISSUE_FILTER } from '../../src/telemetry/issue-filter.ts';
import { parseFilter } from '../../src/telemetry/query.ts';
import type { Issue } from '../../src/telemetry/store.ts';

const issue = (overrides: Partial<Issue>): Issue =>
  ({
    id: 'i',
    type: 'TypeError',
    value: "Cannot read properties of null (reading 'includes')",
    culprit: { file: 'backend/src/inventory.ts', function: 'listProducts' },
    service: 'backend',
    count: 1,
    firstSeen: 0,
    lastSeen: 0,
    traceIds: ['abc'],
    ...overrides,
  }) as Issue;

const backendTypeError = issue({});
const frontendApiError = issue({
  id: 'j',
  type: 'ApiError',
  value: 'Something went wrong on our side.',
  culprit: { file: 'frontend/src/api.ts' },
  service: 'frontend',
  count: 4,
  traceIds: ['abc', 'def'],
});
const pick = (search: string) => {
  const parsed = parseFilter(search, ISSUE_FILTER);
  if (!parsed.ok) throw new Error(parsed.error);
  return [backendTypeError, frontendApiError].filter(parsed.matches).map((found) => found.type);
};

describe('issues are searched in the same language as spans', () => {
  test('fields, exact unless a wildcard says otherwise', () => {
    expect(pick('error.type:TypeError')).toEqual(['TypeError']);
    expect(pick('error.type:Type')).toEqual([]);
    expect(pick('error.type:*Error')).toEqual(['TypeError', 'ApiError']);
    expect(pick('service:frontend')).toEqual(['ApiError']);
    expect(pick('culprit:*inventory.ts')).toEqual(['TypeError']);
  });

  test('numbers, lists, negation, has:, free text', () => {
    expect(pick('count:>2')).toEqual(['ApiError']);
    expect(pick('trace:def')).toEqual(['ApiError']);
    expect(pick('!service:backend')).toEqual(['ApiError']);
    expect(pick('has:culprit')).toEqual(['TypeError', 'ApiError']);
    expect(pick('null')).toEqual(['TypeError']);
    expect(pick('"went wrong"')).toEqual(['ApiError']);
  });

  test('a malformed search says where, as Explore does', () => {
    const parsed = parseFilter('count:>many', ISSUE_FILTER);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/Expected a number after "count:>"/);
  });
});
