/**
 * What the bridge sends down one WebSocket, with backpressure: when the page stops reading (a
 * paused tab, a stuck client), the socket's buffer stops draining, and `congested` tells the
 * sandbox to stop reading its processes' output until it has drained. Their pipes then fill and
 * the processes wait, instead of the server buffering their output without bound.
 */
import type { WebSocket } from 'ws';
import type { ServerMessage } from './protocol.ts';

/** Above this many unsent bytes, output is paused… */
export const HIGH_WATER = 4 * 1024 * 1024;
/** …until fewer than this are left. */
const LOW_WATER = 512 * 1024;

export class Outbox {
  #ws: WebSocket;
  #drained: Promise<void> | null = null;

  constructor(ws: WebSocket) {
    this.#ws = ws;
  }

  send = (message: ServerMessage): void => {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(message));
  };

  get congested(): boolean {
    return this.#ws.bufferedAmount > HIGH_WATER;
  }

  /** Resolves once the socket has sent most of what it holds, or has closed. */
  drained(): Promise<void> {
    this.#drained ??= new Promise<void>((resolve) => {
      const check = () => {
        if (this.#ws.readyState !== this.#ws.OPEN || this.#ws.bufferedAmount < LOW_WATER) {
          this.#drained = null;
          resolve();
        } else setTimeout(check, 25);
      };
      check();
    });
    return this.#drained;
  }
}
