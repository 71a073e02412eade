/**
 * The sandbox's processes speak to the course inside their output (src/sandbox/output-frames.ts):
 * what reaches the terminal is the text around the frames, with no label left behind.
 */
import { expect, test } from 'vitest';
import { OutputFrameReader } from '../../src/sandbox/output-frames.ts';

const status = { name: 'backend', state: 'ready', at: 1, watched: ['backend/src'], sources: {} };
const colouredLabel = '\x1b[36m[backend]  \x1b[0m ';
const shopOutput = [
  `${colouredLabel}Backend listening on http://127.0.0.1:3001\n`,
  `${colouredLabel}\u001e@@shop ${JSON.stringify(status)}\n`,
  `\x1b[33m[collector]\x1b[0m \u001e@@collector ${JSON.stringify({ notice: 'full' })}\n`,
  `${colouredLabel}next line\n`,
].join('');

/** Feeds `text` in pieces of `size` characters, as a stream may cut it anywhere. */
function read(text: string, size: number) {
  const reader = new OutputFrameReader();
  const out = { text: '', statuses: [] as unknown[], notices: [] as unknown[] };
  for (let i = 0; i < text.length; i += size) {
    const piece = reader.push(text.slice(i, i + size));
    out.text += piece.text;
    out.statuses.push(...piece.statuses);
    out.notices.push(...piece.notices);
  }
  return out;
}

test.each([1, 3, 7, 64, 10_000])('in pieces of %i characters: frames are read, and the terminal shows no label without its line', (size) => {
  const out = read(shopOutput, size);
  expect(out.statuses).toEqual([status]);
  expect(out.notices).toEqual(['full']);
  expect(out.text).toBe(`${colouredLabel}Backend listening on http://127.0.0.1:3001\n${colouredLabel}next line\n`);
  expect(out.text).not.toMatch(/\[collector\]/);
});

test('a line that only looks like a label start is shown once the rest arrives', () => {
  const out = read('[backend] not a frame after all\n$ ', 4);
  expect(out.text).toBe('[backend] not a frame after all\n$ ');
});

test('an envelope of megabytes, in 64 KiB pieces, arrives whole, and the text after it too', () => {
  const envelope = 'x'.repeat(6 * 2 ** 20);
  const frame = `\u001e@@collector ${JSON.stringify({ received: 1, envelope: btoa(envelope.slice(0, 3 * 2 ** 20)) })}\n`;
  const reader = new OutputFrameReader();
  const stream = `before\n${frame}after\n`;
  let text = '';
  const envelopes: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += 65_536) {
    const out = reader.push(stream.slice(i, i + 65_536));
    text += out.text;
    envelopes.push(...out.envelopes.map((e) => e.envelope));
  }
  expect(envelopes.map((bytes) => bytes.length)).toEqual([3 * 2 ** 20]);
  expect(text).toBe('before\nafter\n');
});
