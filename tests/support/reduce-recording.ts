// Reduces a collector recording (.telemetry/envelopes.ndjson) to the spans alert rules read.
// Usage: node tests/support/reduce-recording.ts <envelopes.ndjson> > stream.json   (Node 22: runs TypeScript as is)
import { readFileSync } from 'node:fs';
import { parseEnvelope } from '../../src/telemetry/envelope.ts';
import { normalise } from '../../src/telemetry/normalise.ts';

const KEEP = new Set(['items_at_checkout', 'http.route', 'http.response.status_code']);
const spans = [];
for (const line of readFileSync(process.argv[2]!, 'utf8').split('\n').filter(Boolean)) {
  const parsed = parseEnvelope(Buffer.from(JSON.parse(line).envelope, 'base64'));
  if (!parsed.ok) continue;
  for (const span of normalise(parsed.envelope).spans) {
    if (span.name !== 'Submit Checkout Form' && span.op !== 'http.server') continue;
    const attributes = Object.fromEntries(Object.entries(span.attributes).filter(([key]) => KEEP.has(key)));
    const { parentSpanId: _parent, sdk: _sdk, ...kept } = span;
    spans.push({ ...kept, start: Math.round(span.start), end: Math.round(span.end), attributes });
  }
}
spans.sort((a, b) => a.start - b.start);
process.stdout.write(`[\n${spans.map((span) => JSON.stringify(span)).join(',\n')}\n]\n`);
