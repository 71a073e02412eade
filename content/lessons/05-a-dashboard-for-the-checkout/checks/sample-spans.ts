// A few spans of the kinds the running shop records (shaped as the telemetry engine reads them),
// to compare a widget's query with the one the lesson asks for: what it selects, what it reads,
// how it groups. The browser's and the simulated shoppers' checkouts, their page loads and fetch
// calls, and the backend's requests (some failed) with their middleware.
import type { Span } from './telemetry-engine/model.ts';

let id = 0;
function span(name: string, op: string, service: Span['service'], sdk: string, status: string, durationMs: number, attributes: Span['attributes'] = {}): Span {
  const start = 1_800_000_000_000 + ++id * 1000;
  return {
    traceId: `${id}`.padStart(32, '0'),
    spanId: `${id}`.padStart(16, '0'),
    name,
    op,
    status,
    start,
    end: start + durationMs,
    attributes,
    service,
    sdk,
    isSegment: op !== 'middleware',
  };
}

const BROWSER = 'sentry.javascript.react';
const NODE = 'sentry.javascript.node';
const server = (name: string, route: string, status: string, code: number) =>
  span(name, 'http.server', 'backend', NODE, status, 12 + (id % 7), { 'http.route': route, 'http.response.status_code': code });

export const checkouts: Span[] = [
  span('Submit Checkout Form', 'ui.action', 'frontend', BROWSER, 'ok', 340, { items_at_checkout: 3 }),
  span('Submit Checkout Form', 'ui.action', 'frontend', BROWSER, 'internal_error', 95, { items_at_checkout: 0 }),
  span('Submit Checkout Form', 'ui.action', 'frontend', NODE, 'ok', 120, { items_at_checkout: 2 }),
  span('Submit Checkout Form', 'ui.action', 'frontend', NODE, 'ok', 610, { items_at_checkout: 5 }),
  span('Submit Checkout Form', 'ui.action', 'frontend', NODE, 'ok', 180, { items_at_checkout: 1 }),
];

export const failedRequests: Span[] = [
  server('GET /products', '/products', 'internal_error', 500),
  server('GET /products', '/products', 'internal_error', 500),
  server('POST /checkout', '/checkout', 'invalid_argument', 400),
  server('POST /checkout', '/checkout', 'already_exists', 409),
];

export const sampleSpans: Span[] = [
  ...checkouts,
  ...failedRequests,
  server('GET /products', '/products', 'ok', 200),
  server('POST /checkout', '/checkout', 'ok', 201),
  server('GET /health', '/health', 'ok', 200),
  span('request handler - /products', 'request_handler.express', 'backend', NODE, 'internal_error', 3),
  span('jsonParser', 'middleware', 'backend', NODE, 'ok', 1),
  span('Pageload', 'pageload', 'frontend', BROWSER, 'ok', 900),
  span('GET 127.0.0.1', 'http.client', 'frontend', BROWSER, 'internal_error', 30, { 'url.full': 'http://127.0.0.1:5173/api/products' }),
  span('POST 127.0.0.1', 'http.client', 'frontend', BROWSER, 'ok', 60, { 'url.full': 'http://127.0.0.1:5173/api/checkout' }),
  span('Shopper visit', 'simulator.visit', 'frontend', NODE, 'ok', 700, { 'shopper.simulated': true }),
  span('GET', 'http.client', 'frontend', NODE, 'ok', 25, { 'url.full': 'http://127.0.0.1:5173/api/products' }),
];
