export declare const FORWARD_SETTINGS: string;
export declare const FORWARD_STATUS: string;

/** What the collector writes to FORWARD_STATUS. */
export interface ForwardStatus {
  /** The DSN it forwards to, or null (none given, or `problem`). */
  dsn: string | null;
  /** Why the DSN given cannot be used. */
  problem: string | null;
  forwarded: number;
  /** Envelopes given up on: refused by Sentry, or past the queue's cap. */
  dropped: number;
  queued: number;
  lastError: { message: string; at: number } | null;
  /** When sending resumes (Sentry asked to wait, or it could not be reached), or null. */
  retryAt: number | null;
}
