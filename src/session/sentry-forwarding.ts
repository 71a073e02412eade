/**
 * The learner's own Sentry: a DSN kept in this browser only (never in the course's files or a
 * download), handed to the shop's collector, which forwards every envelope there as well
 * (sandboxes/storefront/collector/forward.mjs); and what the collector says of how that goes.
 */
import { FORWARD_SETTINGS, FORWARD_STATUS, type ForwardStatus } from '../../sandboxes/storefront/collector/forward-files.mjs';
import type { Runtime } from '../runtime/types.ts';

export type { ForwardStatus };
export { FORWARD_SETTINGS };

/** What the collector reads: forward to `dsn`, or (none) do not forward. */
export const forwardSettings = (dsn: string | null | undefined): string => `${JSON.stringify(dsn ? { dsn } : {})}\n`;

const STORAGE_KEY = 'ctl-forward-dsn';
const STATUS_POLL_MS = 2000;

export interface ForwardingState {
  /** The DSN given in this browser, or null. */
  dsn: string | null;
  /** The collector's last word on it (null until it has said anything). */
  status: ForwardStatus | null;
}

const stored = (): string | null => {
  try {
    return localStorage.getItem(STORAGE_KEY) || null;
  } catch {
    return null;
  }
};

export class SentryForwarding {
  #runtime: Runtime | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #onChange: (state: ForwardingState) => void;
  state: ForwardingState = { dsn: stored(), status: null };

  constructor(onChange: (state: ForwardingState) => void) {
    this.#onChange = onChange;
  }

  /** A sandbox runs the shop: it gets the DSN (or none), and its status is followed. */
  attach(runtime: Runtime | null): void {
    this.#runtime = runtime;
    this.#set({ status: null });
    void this.#apply();
  }

  /** Forward to `dsn` from now on (null: stop). The collector checks it and says what is wrong with it. */
  setDsn(dsn: string | null): void {
    const value = dsn?.trim() || null;
    try {
      if (value) localStorage.setItem(STORAGE_KEY, value);
      else localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage refused (a private window): forwarding still works until the page closes.
    }
    this.#set({ dsn: value, status: null });
    void this.#apply();
  }

  async #apply(): Promise<void> {
    const runtime = this.#runtime;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (!runtime) return;
    // Without a DSN the file still says so: a DSN removed in this browser stops the forwarding.
    await runtime.writeFile(FORWARD_SETTINGS, forwardSettings(this.state.dsn)).catch(() => undefined);
    if (!this.state.dsn || runtime !== this.#runtime) return;
    const read = async () => {
      const text = await runtime.readFile(FORWARD_STATUS).catch(() => null);
      if (runtime !== this.#runtime || !text) return;
      try {
        const status = JSON.parse(text) as ForwardStatus;
        // The collector's word on another DSN (the one before) is not news.
        if (status.dsn === this.state.dsn || status.problem) this.#set({ status });
      } catch {
        // Half written: read again next time.
      }
    };
    void read();
    this.#timer = setInterval(read, STATUS_POLL_MS);
  }

  #set(patch: Partial<ForwardingState>): void {
    this.state = { ...this.state, ...patch };
    this.#onChange(this.state);
  }
}
