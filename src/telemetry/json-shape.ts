// Checking JSON a learner can edit by hand (monitoring/*.json), with messages that name what came.

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as the learner wrote it, for "expected …, got …" messages. */
export const show = (value: unknown): string => (value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value)));
