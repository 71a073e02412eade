import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from './collector.ts';

// `traceLifecycle: 'static'` makes SDK v11 send transactions, as older SDKs always did.
let collector: TestCollector;
let traceId: string;

beforeAll(async () => {
  collector = await startTestCollector();
  Sentry.init({ dsn: collector.dsn, tracesSampleRate: 1, traceLifecycle: 'static' });
  await Sentry.startSpan({ name: 'Submit Checkout Form', op: 'ui.action' }, async (span) => {
    traceId = span.spanContext().traceId;
    span.setAttribute('items_at_checkout', 2);
    await Sentry.startSpan({ name: 'POST /checkout', op: 'http.client' }, () => new Promise((resolve) => setTimeout(resolve, 5)));
  });
  await Sentry.flush(5000);
});

afterAll(async () => {
  await Sentry.close();
  await collector.close();
});

describe('@sentry/node v11 with traceLifecycle static (transactions)', () => {
  test('sends a transaction event, not span items', () => {
    const text = collector.received.map((bytes) => new TextDecoder().decode(bytes)).join('\n');
    expect(text).toContain('{"type":"transaction"');
    expect(text).not.toContain('span.v2+json');
  });

  test('the transaction becomes the same span tree, with its attributes', () => {
    const [tree] = collector.store.traceTree(traceId);
    expect(tree!.span.name).toBe('Submit Checkout Form');
    expect(tree!.span.isSegment).toBe(true);
    expect(tree!.span.attributes.items_at_checkout).toBe(2);
    expect(tree!.children.map((node) => [node.span.name, node.span.op])).toEqual([['POST /checkout', 'http.client']]);
    const [summary] = collector.store.traces();
    expect(summary).toMatchObject({ traceId, rootName: 'Submit Checkout Form', spanCount: 2, services: ['backend'] });
    expect(summary!.duration).toBeGreaterThanOrEqual(4);
  });
});
