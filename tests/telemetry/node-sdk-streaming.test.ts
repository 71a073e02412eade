import * as Sentry from '@sentry/node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCollector, type TestCollector } from './collector.ts';

// The Node SDK v11 as the storefront's backend uses it, in its default mode: spans streamed as
// span v2 items. Each test file is its own process-wide SDK (Vitest isolates files).
let collector: TestCollector;
let traceId: string;

beforeAll(async () => {
  collector = await startTestCollector();
  Sentry.init({ dsn: collector.dsn, tracesSampleRate: 1 });
  await Sentry.startSpan({ name: 'Submit Checkout Form', op: 'ui.action' }, async (span) => {
    traceId = span.spanContext().traceId;
    span.setAttribute('items_at_checkout', 3);
    span.setAttribute('cart.value_cents', 5400.5);
    await Sentry.startSpan({ name: 'validate cart', op: 'function' }, async () => {
      try {
        const productInventory = null as unknown as string[];
        productInventory.includes('trail-mug');
      } catch (error) {
        Sentry.captureException(error);
      }
    });
  });
  await Sentry.flush(5000);
});

afterAll(async () => {
  await Sentry.close();
  await collector.close();
});

describe('@sentry/node v11, streaming spans, through the real collector', () => {
  test('sends span v2 items by default', () => {
    const text = collector.received.map((bytes) => new TextDecoder().decode(bytes)).join('\n');
    expect(text).toContain('"content_type":"application/vnd.sentry.items.span.v2+json"');
  });

  test('the store has one trace with the checkout span as root and its child under it', () => {
    const [tree] = collector.store.traceTree(traceId);
    expect(tree!.span.name).toBe('Submit Checkout Form');
    expect(tree!.span.op).toBe('ui.action');
    expect(tree!.span.service).toBe('backend');
    expect(tree!.children.map((node) => node.span.name)).toEqual(['validate cart']);
    expect(tree!.span.end).toBeGreaterThanOrEqual(tree!.children[0]!.span.end);
  });

  test('typed attributes come out as plain values', () => {
    const [tree] = collector.store.traceTree(traceId);
    expect(tree!.span.attributes.items_at_checkout).toBe(3);
    expect(tree!.span.attributes['cart.value_cents']).toBe(5400.5);
  });

  test('the error is an issue linked to the trace and to the span it happened in, with its source line', () => {
    const [issue] = collector.store.issues();
    expect(issue!.type).toBe('TypeError');
    expect(issue!.value).toMatch(/Cannot read properties of null \(reading 'includes'\)/);
    expect(issue!.traceIds).toEqual([traceId]);
    const event = issue!.events[0]!;
    const frame = event.frames.find((f) => f.inApp)!;
    expect(frame.filename).toMatch(/node-sdk-streaming\.test\.ts$/);
    expect(frame.contextLine).toContain("productInventory.includes('trail-mug')");
    expect(frame.preContext!.length).toBeGreaterThan(0);
    const [tree] = collector.store.traceTree(traceId);
    expect(tree!.children[0]!.errors.map((e) => e.eventId)).toEqual([event.eventId]);
  });

  test("the error names its process's start, as the process's root spans do (how lesson 6 tells a dropped duplicate)", () => {
    const [issue] = collector.store.issues();
    const [tree] = collector.store.traceTree(traceId);
    expect(issue!.events[0]!.appStartTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(tree!.span.attributes['app.start_time']).toBe(issue!.events[0]!.appStartTime);
  });

  test('the collector recorded every envelope for checkpoint tests', async () => {
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(`${collector.recordDir}/envelopes.ndjson`, 'utf8').trim().split('\n');
    expect(lines.length).toBe(collector.received.length);
    const first = JSON.parse(lines[0]!);
    expect(Buffer.from(first.envelope, 'base64').equals(Buffer.from(collector.received[0]!))).toBe(true);
  });
});
