import { describe, expect, test } from 'vitest';
import { parseEnvelope } from '../../src/telemetry/envelope.ts';
import { normalise } from '../../src/telemetry/normalise.ts';

const enc = (text: string) => new TextEncoder().encode(text);

describe('parseEnvelope', () => {
  test('items with and without length, with and without a trailing newline', () => {
    for (const text of ['{}\n{"type":"a","length":2}\n{}\n{"type":"b"}\n{"x":1}\n', '{}\n{"type":"a","length":2}\n{}\n{"type":"b"}\n{"x":1}']) {
      const result = parseEnvelope(text);
      expect(result.ok && result.envelope.items.map((item) => [item.header.type, new TextDecoder().decode(item.payload)])).toEqual([
        ['a', '{}'],
        ['b', '{"x":1}'],
      ]);
    }
  });

  test('length counts bytes, not characters (multi-byte UTF-8)', () => {
    const payload = '{"m":"żółw ✓"}';
    const result = parseEnvelope(enc(`{}\n{"type":"event","length":${enc(payload).length}}\n${payload}\n{"type":"client_report"}\n{}\n`));
    expect(result.ok && result.envelope.items.length).toBe(2);
    expect(result.ok && JSON.parse(new TextDecoder().decode(result.envelope.items[0]!.payload)).m).toBe('żółw ✓');
  });

  test('a binary attachment with newlines inside is skipped safely', () => {
    const bytes = new Uint8Array([
      ...enc('{}\n{"type":"attachment","length":5}\n'),
      0x0a,
      0x00,
      0xff,
      0x0a,
      0x01,
      ...enc('\n{"type":"event"}\n{"message":"after"}\n'),
    ]);
    const result = parseEnvelope(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const telemetry = normalise(result.envelope);
    expect(telemetry.errors.map((error) => error.value)).toEqual(['after']);
  });

  test('unknown item types are kept, not dropped', () => {
    const result = parseEnvelope('{}\n{"type":"profile_chunk"}\n{"p":1}\n');
    expect(result.ok && normalise(result.envelope).other.map((item) => item.type)).toEqual(['profile_chunk']);
  });

  test.each([
    ['', 'empty envelope'],
    ['[1,2]\n', 'envelope header is not a JSON object'],
    ['{}\n{"length":2}\n{}\n', 'item 1: header has no type'],
    ['{}\n{"type":"event","length":99}\n{}\n', 'item 1 (event): length 99 runs past the end of the envelope'],
  ])('%j is refused with a reason', (text, reason) => {
    expect(parseEnvelope(text)).toEqual({ ok: false, error: reason });
  });
});

describe('which side of the shop sent it', () => {
  const spanEnvelope = (sdk: string, environment: string) =>
    [
      JSON.stringify({ sdk: { name: sdk } }),
      JSON.stringify({ type: 'span', item_count: 1, content_type: 'application/vnd.sentry.items.span.v2+json' }),
      JSON.stringify({
        version: 2,
        items: [
          {
            name: 'Submit Checkout Form',
            trace_id: 'a'.repeat(32),
            span_id: 'b'.repeat(16),
            start_timestamp: 1,
            end_timestamp: 2,
            is_segment: false,
            status: 'ok',
            attributes: { 'sentry.sdk.name': { value: sdk, type: 'string' }, 'sentry.environment': { value: environment, type: 'string' } },
          },
        ],
      }),
    ].join('\n');
  const serviceOf = (sdk: string, environment: string) => {
    const result = parseEnvelope(spanEnvelope(sdk, environment));
    return result.ok ? normalise(result.envelope).spans[0]?.service : undefined;
  };

  test('the Node SDK is the backend, the React SDK the frontend', () => {
    expect(serviceOf('sentry.javascript.node', 'development')).toBe('backend');
    expect(serviceOf('sentry.javascript.react', 'development')).toBe('frontend');
  });

  test('the shopper simulator runs @sentry/node but plays browsers: its telemetry is frontend', () => {
    expect(serviceOf('sentry.javascript.node', 'simulated-shoppers')).toBe('frontend');
  });
});
