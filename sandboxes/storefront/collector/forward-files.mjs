// Where the course gives the collector the learner's Sentry DSN ({ "dsn": "…" }, or {} to stop),
// and where the collector says how forwarding goes (see forward.mjs). Under node_modules: not the
// learner's files, never in a download.
export const FORWARD_SETTINGS = 'node_modules/.cache/shop/forward.json';
export const FORWARD_STATUS = 'node_modules/.cache/shop/forward-status.json';
