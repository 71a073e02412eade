/** What the panels show, normalised from whatever the SDK sent (span v2 items or transactions). */
export type AttributeValue = string | number | boolean | null | AttributeValue[];

/** Which side of the shop a span or error came from, told by the SDK that sent it. */
export type Service = 'frontend' | 'backend' | 'other';

export interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  op?: string;
  status: string;
  /** Milliseconds since the epoch. */
  start: number;
  end: number;
  attributes: Record<string, AttributeValue>;
  service: Service;
  sdk?: string;
  /** The root of a service's part of the trace (a transaction, a page load, a server request). */
  isSegment: boolean;
}

export interface StackFrame {
  filename?: string;
  function?: string;
  lineno?: number;
  colno?: number;
  inApp: boolean;
  preContext?: string[];
  contextLine?: string;
  postContext?: string[];
}

export interface ErrorEvent {
  eventId: string;
  timestamp: number;
  type: string;
  value: string;
  /** Innermost frame first, as a reader wants them. */
  frames: StackFrame[];
  traceId?: string;
  spanId?: string;
  service: Service;
  /** The SDK that sent it, e.g. sentry.javascript.react (the simulated shoppers send with node). */
  sdk?: string;
  /** When the process that sent it started (Node SDK): the same process's spans carry it as app.start_time. */
  appStartTime?: string;
  level: string;
  transaction?: string;
}

export interface LogRecord {
  timestamp: number;
  level: string;
  body: string;
  traceId?: string;
  attributes: Record<string, AttributeValue>;
  service: Service;
}

export interface Telemetry {
  spans: Span[];
  errors: ErrorEvent[];
  logs: LogRecord[];
  clientReports: Record<string, unknown>[];
  sessions: Record<string, unknown>[];
  /** Items of a type we do not show, kept rather than dropped. */
  other: { type: string; payload: Uint8Array }[];
}

/**
 * The sandbox's shopper simulator (scripts/shoppers.ts) runs the frontend's api.ts in Node, with
 * @sentry/node, under this environment. It plays browsers, so its telemetry counts as frontend.
 */
export const SIMULATED_SHOPPERS_ENVIRONMENT = 'simulated-shoppers';

export function serviceOf(sdkName: unknown, environment?: unknown): Service {
  if (environment === SIMULATED_SHOPPERS_ENVIRONMENT) return 'frontend';
  if (typeof sdkName !== 'string') return 'other';
  if (/\.(node|bun|deno)$|\.node\b|server/.test(sdkName)) return 'backend';
  if (/browser|react|vue|angular|svelte/.test(sdkName)) return 'frontend';
  return 'other';
}
