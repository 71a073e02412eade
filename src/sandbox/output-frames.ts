/**
 * The sandbox talks to the course inside its processes' output, in lines behind a marker no
 * program prints by accident (a record separator, `@@`, a tag): the collector hands over each
 * envelope (`@@collector`), the shop's parts report their state (`@@shop`, see the shop's
 * scripts/lib/status.mjs), and the warm check runner answers each Check (`@@checks`,
 * content/checks-support/check-server.mjs). This splits an output stream into those frames and the
 * text a terminal should show, across chunk boundaries.
 */
import type { PartStatus } from './shop.ts';

const MARKER = '\u001e@@';
/** dev.mjs's label in front of a part's line ("[backend] "), maybe coloured: not shown for a frame. */
const LABEL_ONLY = /^(\x1b\[[0-9;]*m)*\[[\w-]+\](\s|\x1b\[[0-9;]*m)*$/;
/** What could still become such a label once the rest of the line arrives. */
const LABEL_SO_FAR = /^(\x1b(\[[0-9;]*m?)?|\[[\w-]*\]?|\s)*$/;

export interface CollectorFrame {
  receivedAt: number;
  envelope: Uint8Array;
}

export interface FramedOutput {
  envelopes: CollectorFrame[];
  /** Notices about the collector itself: its recording is full (a message) or records again (null). */
  notices: (string | null)[];
  statuses: PartStatus[];
  /** The check runner's answers: `{ ready: true }`, then `{ id, error? }` per Check. */
  checks: { ready?: boolean; id?: number; error?: string }[];
  text: string;
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class OutputFrameReader {
  #pending = '';
  /** The pieces of a frame whose line has not ended yet (an envelope can be megabytes long). */
  #frame: string[] = [];

  /** Feeds a chunk; returns the frames completed by it, and the rest of the text. */
  push(chunk: string): FramedOutput {
    const out: FramedOutput = { envelopes: [], notices: [], statuses: [], checks: [], text: '' };
    if (this.#frame.length) {
      // Only the new chunk is searched for the frame's end: a long frame costs its length once.
      const end = chunk.indexOf('\n');
      if (end === -1) {
        this.#frame.push(chunk);
        return out;
      }
      this.#frame.push(chunk.slice(0, end + 1));
      chunk = this.#frame.join('') + chunk.slice(end + 1);
      this.#frame = [];
    }
    let data = this.#pending + chunk;
    this.#pending = '';
    for (;;) {
      const at = data.indexOf(MARKER);
      if (at === -1) {
        // Keep a tail that could be the start of a marker, or of a label before one, split across chunks.
        const partialLine = data.slice(data.lastIndexOf('\n') + 1);
        const keepMarker = [...Array(MARKER.length).keys()].reverse().find((n) => n > 0 && data.endsWith(MARKER.slice(0, n))) ?? 0;
        const keep = partialLine.length < 64 && LABEL_SO_FAR.test(partialLine.slice(0, partialLine.length - keepMarker)) ? partialLine.length : keepMarker;
        out.text += data.slice(0, data.length - keep);
        this.#pending = data.slice(data.length - keep);
        break;
      }
      const before = data.slice(0, at);
      const lineStart = before.lastIndexOf('\n') + 1;
      out.text += LABEL_ONLY.test(before.slice(lineStart)) ? before.slice(0, lineStart) : before;
      const end = data.indexOf('\n', at);
      if (end === -1) {
        this.#frame = [data.slice(at)];
        break;
      }
      this.#read(data.slice(at + MARKER.length, end).replace(/\r$/, ''), out);
      data = data.slice(end + 1);
    }
    return out;
  }

  #read(frame: string, out: FramedOutput): void {
    const space = frame.indexOf(' ');
    const tag = frame.slice(0, space);
    try {
      const body = JSON.parse(frame.slice(space + 1));
      if (tag === 'collector' && 'notice' in body) out.notices.push(typeof body.notice === 'string' ? body.notice : null);
      else if (tag === 'collector') out.envelopes.push({ receivedAt: body.received, envelope: base64ToBytes(body.envelope) });
      else if (tag === 'shop') out.statuses.push(body as PartStatus);
      else if (tag === 'checks') out.checks.push(body);
      else out.text += `[a ${tag} frame the course does not know]\n`;
    } catch {
      out.text += `[a ${tag || 'shop'} frame could not be read]\n`;
    }
  }
}
