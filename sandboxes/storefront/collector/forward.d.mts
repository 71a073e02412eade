/** A DSN taken apart (forward.mjs). */
export interface SentryTarget {
  dsn: string;
  publicKey: string;
  projectId: string;
  host: string;
  /** Where its envelopes go. */
  endpoint: string;
  /** Whether it names a collector on this machine at `port`. */
  isLocal(port: number): boolean;
}

export declare const MAX_QUEUED: number;
export declare const MAX_QUEUED_BYTES: number;
/** Throws an Error saying what is wrong with it. */
export declare function parseDsn(text: unknown): SentryTarget;
export declare function rewriteEnvelope(bytes: Buffer, target: SentryTarget): Buffer;
export declare function retryAfterMs(headers: Headers, now?: number): number;

export interface Forwarder {
  forward(bytes: Buffer, options?: { gzip?: boolean }): Promise<void>;
  refresh(): Promise<void>;
  status(): import('./forward-files.mjs').ForwardStatus;
  retryNow(): void;
}

export declare function createForwarder(options?: {
  settingsFile?: string;
  statusFile?: string;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  now?: () => number;
  ownPort?: () => number;
}): Forwarder;
