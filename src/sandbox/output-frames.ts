/**
 * The collector hands each envelope to the course as one line on its stdout, behind a marker no
 * program prints by accident. This splits a process's output stream into those envelopes, the
 * collector's notices about itself (its recording is full: a message; recording again: null), and
 * the text the terminal should show, across chunk boundaries.
 */
export const FRAME_PREFIX = '\u001e@@collector ';

export interface CollectorFrame {
  receivedAt: number;
  envelope: Uint8Array;
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class CollectorFrameReader {
  #pending = '';

  /** Feeds a chunk; returns the envelopes and notices completed by it, and the rest of the text. */
  push(chunk: string): { frames: CollectorFrame[]; notices: (string | null)[]; text: string } {
    const frames: CollectorFrame[] = [];
    const notices: (string | null)[] = [];
    let text = '';
    let data = this.#pending + chunk;
    this.#pending = '';
    for (;;) {
      const at = data.indexOf(FRAME_PREFIX);
      if (at === -1) {
        // Keep a tail that could be the start of a marker split across chunks.
        const keep = [...Array(FRAME_PREFIX.length).keys()].reverse().find((n) => n > 0 && data.endsWith(FRAME_PREFIX.slice(0, n))) ?? 0;
        text += data.slice(0, data.length - keep);
        this.#pending = data.slice(data.length - keep);
        break;
      }
      text += data.slice(0, at);
      const end = data.indexOf('\n', at);
      if (end === -1) {
        this.#pending = data.slice(at);
        break;
      }
      const line = data.slice(at + FRAME_PREFIX.length, end).replace(/\r$/, '');
      try {
        const frame = JSON.parse(line) as { received: number; envelope: string } | { notice: string | null };
        if ('notice' in frame) notices.push(typeof frame.notice === 'string' ? frame.notice : null);
        else frames.push({ receivedAt: frame.received, envelope: base64ToBytes(frame.envelope) });
      } catch {
        text += `[collector frame could not be read]\n`;
      }
      data = data.slice(end + 1);
    }
    return { frames, notices, text };
  }
}
