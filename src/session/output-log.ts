/** Output that arrives before anyone shows it (the terminal loads lazily) is kept and replayed. */
export class OutputLog {
  #chunks: string[] = [];
  #size = 0;
  #listeners = new Set<(chunk: string) => void>();

  readonly limit: number;

  constructor(limit = 2_000_000) {
    this.limit = limit;
  }

  append(chunk: string): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.limit && this.#chunks.length > 1) this.#size -= this.#chunks.shift()!.length;
    for (const listener of this.#listeners) listener(chunk);
  }

  /** Replays what was written so far, then streams new output; returns an unsubscribe. */
  follow(listener: (chunk: string) => void): () => void {
    for (const chunk of this.#chunks) listener(chunk);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
