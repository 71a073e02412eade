/**
 * Sentry envelopes (https://develop.sentry.dev/sdk/envelopes/): a JSON header line, then items,
 * each a JSON header line and a payload that is either `length` bytes or runs to the next newline.
 * Parsing never throws: a malformed envelope comes back with the reason.
 */
export interface EnvelopeItem {
  header: { type: string; length?: number; content_type?: string; [key: string]: unknown };
  payload: Uint8Array;
}

export interface Envelope {
  header: Record<string, unknown>;
  items: EnvelopeItem[];
}

export type EnvelopeResult = { ok: true; envelope: Envelope } | { ok: false; error: string };

const NEWLINE = 0x0a;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(decoder.decode(bytes));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function parseEnvelope(input: Uint8Array | string): EnvelopeResult {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  let offset = 0;
  const line = (): Uint8Array => {
    let end = bytes.indexOf(NEWLINE, offset);
    if (end === -1) end = bytes.length;
    const slice = bytes.subarray(offset, end);
    offset = end + 1;
    return slice;
  };
  if (bytes.length === 0) return { ok: false, error: 'empty envelope' };
  const header = parseJsonObject(line());
  if (!header) return { ok: false, error: 'envelope header is not a JSON object' };
  const items: EnvelopeItem[] = [];
  while (offset < bytes.length) {
    const headerLine = line();
    if (headerLine.length === 0 || (headerLine.length === 1 && headerLine[0] === 0x0d)) continue;
    const itemHeader = parseJsonObject(headerLine);
    const position = items.length + 1;
    if (!itemHeader) return { ok: false, error: `item ${position}: header is not a JSON object` };
    if (typeof itemHeader.type !== 'string') return { ok: false, error: `item ${position}: header has no type` };
    let payload: Uint8Array;
    if (typeof itemHeader.length === 'number') {
      if (itemHeader.length < 0 || offset + itemHeader.length > bytes.length) {
        return { ok: false, error: `item ${position} (${itemHeader.type}): length ${itemHeader.length} runs past the end of the envelope` };
      }
      payload = bytes.subarray(offset, offset + itemHeader.length);
      offset += itemHeader.length;
      if (bytes[offset] === NEWLINE) offset++;
    } else {
      payload = line();
    }
    items.push({ header: itemHeader as EnvelopeItem['header'], payload });
  }
  return { ok: true, envelope: { header, items } };
}

/** Parses an item's payload as JSON, or returns null. */
export function itemJson<T = Record<string, unknown>>(item: EnvelopeItem): T | null {
  try {
    return JSON.parse(decoder.decode(item.payload)) as T;
  } catch {
    return null;
  }
}
