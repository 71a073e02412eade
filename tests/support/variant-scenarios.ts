/**
 * What a learner did before pressing Check, for variants whose files alone do not tell the story
 * (variant.json's "before"). Each runs against the booted lesson sandbox, before the variant's own
 * files are put in place.
 */
import { randomBytes } from 'node:crypto';
import type { FileMap, Runtime } from '../../src/runtime/types.ts';
import type { LessonFiles } from './lesson-sandbox.ts';
import { readAll } from '../../src/runtime/process-output.ts';
import { BACKEND_URL, COLLECTOR_URL, FRONTEND_URL } from '../../src/sandbox/shop.ts';

export interface ScenarioContext {
  runtime: Runtime;
  files: LessonFiles;
  /** The lesson's start with its solution applied. */
  solved: FileMap;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** An envelope as an SDK would send it: a header line, then each item's header and payload. */
function envelope(sdk: string, items: { type: string; payload: unknown }[]): string {
  const lines = [JSON.stringify({ sdk: { name: sdk, version: '11.12.0' }, sent_at: new Date().toISOString() })];
  for (const item of items) {
    const payload = JSON.stringify(item.payload);
    lines.push(
      JSON.stringify({
        type: item.type,
        length: Buffer.byteLength(payload),
        ...(item.type === 'span' ? { content_type: 'application/vnd.sentry.items.span.v2+json' } : {}),
      }),
      payload,
    );
  }
  return `${lines.join('\n')}\n`;
}

const attribute = (value: string | number) => ({ value, type: typeof value === 'number' ? 'integer' : 'string' });

function span(traceId: string, name: string, op: string, start: number, extra: Record<string, string | number> = {}, parent?: string) {
  return {
    trace_id: traceId,
    span_id: hex(8),
    ...(parent ? { parent_span_id: parent } : {}),
    name,
    status: 'ok',
    is_segment: !parent,
    start_timestamp: start,
    end_timestamp: start + 0.05,
    attributes: Object.fromEntries(Object.entries({ 'sentry.op': op, ...extra }).map(([key, value]) => [key, attribute(value)])),
  };
}

async function post(body: string): Promise<void> {
  const response = await fetch(`${COLLECTOR_URL}/api/1/envelope/`, { method: 'POST', body });
  if (!response.ok) throw new Error(`the collector refused a hand-written envelope: ${response.status} ${await response.text()}`);
}

export const scenarios = {
  /** Solved the lesson, sent a request that made its telemetry, then undid the code. */
  async 'solved, used, then undone'({ files, solved }: ScenarioContext) {
    await files.become(solved);
    const response = await fetch(`${BACKEND_URL}/products`);
    if (!response.ok) throw new Error(`GET /products answered ${response.status} on the solution`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
  },

  /**
   * Posted envelopes written by hand, dated an hour ahead, holding what lessons 2 to 4 look for:
   * the backend's GET /products span, browser spans in its trace, a checkout span with items, a
   * frontend "Failed to fetch" and a backend error in one trace.
   */
  async 'hand-written telemetry dated ahead'() {
    const at = Date.now() / 1000 + 3600;
    const traceId = hex(16);
    const pageload = span(traceId, '/', 'pageload', at);
    const fetchSpan = span(traceId, 'GET /api/products', 'http.client', at + 0.1, {}, pageload.span_id);
    const checkout = span(traceId, 'Submit Checkout Form', 'ui.action', at + 1, { items_at_checkout: 3 }, pageload.span_id);
    const postCheckout = span(traceId, 'POST /api/checkout', 'http.client', at + 1.01, {}, checkout.span_id);
    const server = span(traceId, 'GET /products', 'http.server', at + 0.11, {}, fetchSpan.span_id);
    const serverCheckout = span(traceId, 'POST /checkout', 'http.server', at + 1.02, {}, postCheckout.span_id);
    const error = (type: string, value: string, frame: Record<string, string>) => ({
      event_id: hex(16),
      timestamp: at + 0.2,
      platform: 'javascript',
      exception: { values: [{ type, value, stacktrace: { frames: [{ in_app: true, ...frame }] } }] },
      contexts: { trace: { trace_id: traceId, span_id: server.span_id } },
    });
    await post(envelope('sentry.javascript.react', [{ type: 'span', payload: { version: 2, items: [pageload, fetchSpan, checkout, postCheckout] } }]));
    await post(
      envelope('sentry.javascript.react', [
        { type: 'event', payload: error('TypeError', 'Failed to fetch', { filename: `${FRONTEND_URL}/src/App.tsx`, function: 'loadProducts' }) },
      ]),
    );
    await post(envelope('sentry.javascript.node', [{ type: 'span', payload: { version: 2, items: [server, serverCheckout] } }]));
    await post(
      envelope('sentry.javascript.node', [
        {
          type: 'event',
          payload: error('TypeError', "Cannot read properties of null (reading 'id')", { filename: '/backend/src/inventory.ts', function: 'listProducts' }),
        },
      ]),
    );
  },

  /** Had the shopper simulator running, so the backend already reported this lesson's error once. */
  async 'shoppers ran first'({ runtime }: ScenarioContext) {
    const shoppers = await runtime.spawn('node', ['scripts/run-ts.mjs', 'scripts/shoppers.ts', '--rate', '600', '--count', '6']);
    await readAll(shoppers);
    if ((await shoppers.exit) !== 0) throw new Error('the shopper simulator failed');
  },
} satisfies Record<string, (context: ScenarioContext) => Promise<void>>;

export type ScenarioName = keyof typeof scenarios;
