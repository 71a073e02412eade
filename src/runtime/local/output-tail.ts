/**
 * The end of what a sandbox process printed, kept so that a page that reloads (and re-attaches
 * to the running sandbox) shows the terminal as it was and the telemetry already received. Text
 * lines are kept to TEXT_LIMIT characters; the collector's envelope frames, which the page turns
 * into telemetry, to FRAME_LIMIT: the newest are kept, the oldest let go.
 */
const TEXT_LIMIT = 256 * 1024;
const FRAME_LIMIT = 32 * 1024 * 1024;
/** The collector's frames (src/sandbox/output-frames.ts): a record separator, `@@collector `. */
const ENVELOPE_FRAME = '\u001e@@collector ';

class Bounded {
  #pieces: string[] = [];
  #size = 0;
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  push(piece: string): void {
    this.#pieces.push(piece);
    this.#size += piece.length;
    while (this.#size > this.limit && this.#pieces.length > 1) this.#size -= this.#pieces.shift()!.length;
  }

  text(): string {
    return this.#pieces.join('');
  }
}

export class OutputTail {
  #text = new Bounded(TEXT_LIMIT);
  #frames = new Bounded(FRAME_LIMIT);
  /** The line being printed, until it ends. */
  #line: string[] = [];

  push(chunk: string): void {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      this.#line.push(chunk.slice(start, end + 1));
      const line = this.#line.join('');
      this.#line = [];
      (line.includes(ENVELOPE_FRAME) ? this.#frames : this.#text).push(line);
      start = end + 1;
    }
    if (start < chunk.length) this.#line.push(chunk.slice(start));
  }

  /** What to replay: the envelopes kept, then the text, its unfinished line last. */
  replay(): string {
    const unfinished = this.#line.join('');
    return this.#frames.text() + this.#text.text() + (unfinished.includes(ENVELOPE_FRAME) ? '' : unfinished);
  }
}
