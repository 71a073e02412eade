// What the collector recorded in .telemetry/envelopes.ndjson during this Check, read with the
// course's own telemetry engine (the same parser the Telemetry panel uses), for checkpoint tests.
import { open, readFile, stat } from 'node:fs/promises';
import { parseEnvelope } from './telemetry-engine/envelope.ts';
import type { ErrorEvent, Span } from './telemetry-engine/model.ts';
import { normalise } from './telemetry-engine/normalise.ts';
import { patient } from './patience.ts';

export type { ErrorEvent, Span };

export interface Recorded {
  spans: Span[];
  errors: ErrorEvent[];
}

const RECORDING = '.telemetry/envelopes.ndjson';
/** Past half its cap the collector moves the recording here and starts a new one (collector/server.mjs). */
const RECORDING_BEFORE = '.telemetry/envelopes.1.ndjson';

/** When this Check started (vitest.config.mjs sets it once for the whole run). */
export const checkStartedAt = Number(process.env.COURSE_CHECK_STARTED_AT) || Date.now();

/**
 * The SDKs correct their clocks to within a second of Date.now() (@sentry/core's time.ts), so a
 * timestamp this close to the start of the Check may still be the Check's own.
 */
const CLOCK_SLACK_MS = 1000;

interface Entry extends Recorded {
  received: number;
}

// The recording only grows until the collector moves it aside (past half its cap) or it is cleared;
// each poll reads just what was appended since the last one.
let readUpTo = 0;
let pending = '';
const entries: Entry[] = [];

/** Reads `path` from byte `from` to its end: what this Check may use of each whole line. */
async function readFrom(path: string, from: number): Promise<number | undefined> {
  const file = await open(path, 'r').catch(() => undefined);
  if (!file) return undefined;
  try {
    const { size } = await file.stat();
    if (size <= from) return size;
    const buffer = Buffer.alloc(size - from);
    await file.read(buffer, 0, buffer.length, from);
    const lines = (pending + buffer.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      // A learner's session can record megabytes before this Check: read the time first (the
      // collector writes it first) and leave older envelopes undecoded.
      const received = Number(/^\{"received":(\d+)/.exec(line)?.[1]);
      if (!(received >= checkStartedAt)) continue;
      const { envelope } = JSON.parse(line) as { envelope: string };
      const parsed = parseEnvelope(Buffer.from(envelope, 'base64'));
      if (!parsed.ok) continue;
      const { spans, errors } = normalise(parsed.envelope);
      entries.push({ received, spans, errors });
    }
    return size;
  } finally {
    await file.close();
  }
}

async function readNewEntries(): Promise<Entry[]> {
  const size = (await stat(RECORDING).catch(() => undefined))?.size ?? 0;
  if (size < readUpTo) {
    // Moved aside (its end, past what was read, is in the part before now) or cleared: then the
    // part before is older than this Check, and nothing of it is taken.
    await readFrom(RECORDING_BEFORE, readUpTo);
    readUpTo = 0;
    pending = '';
  }
  readUpTo = (await readFrom(RECORDING, readUpTo)) ?? 0;
  return entries;
}

/**
 * What the SDKs sent during this Check: received after it started, and timestamped between its
 * start and now. Telemetry from before (a request made, then the code undone) or dated ahead (an
 * envelope written by hand) is not an answer.
 */
export async function recorded(): Promise<Recorded> {
  const now = Date.now();
  const inTime = (timestamp: number) => timestamp >= checkStartedAt - CLOCK_SLACK_MS && timestamp <= now + CLOCK_SLACK_MS;
  const result: Recorded = { spans: [], errors: [] };
  for (const entry of await readNewEntries()) {
    if (entry.received < checkStartedAt) continue;
    result.spans.push(...entry.spans.filter((span) => inTime(span.start) && inTime(span.end)));
    result.errors.push(...entry.errors.filter((error) => inTime(error.timestamp)));
  }
  return result;
}

/**
 * Errors received before this Check whose envelope mentions `text` (a function name, say): for the
 * one check that must look back, at what an SDK sent before dropping a repeat of it (Dedupe).
 * Only envelopes that mention `text` are decoded.
 */
export async function errorsBeforeThisCheck(text: string): Promise<ErrorEvent[]> {
  const parts = await Promise.all([RECORDING_BEFORE, RECORDING].map((path) => readFile(path, 'utf8').catch(() => '')));
  const recording = parts.join('\n');
  const errors: ErrorEvent[] = [];
  for (const line of recording.split('\n')) {
    const received = Number(/^\{"received":(\d+)/.exec(line)?.[1]);
    if (!(received < checkStartedAt)) continue;
    const bytes = Buffer.from(JSON.parse(line).envelope, 'base64');
    if (!bytes.includes(text)) continue;
    const parsed = parseEnvelope(bytes);
    if (parsed.ok) errors.push(...normalise(parsed.envelope).errors);
  }
  return errors;
}

/**
 * Polls this Check's telemetry until `find` returns something, or gives up after `timeoutMs`.
 * Waits are short because the SDKs send promptly: an error as it is captured, a trace's spans half
 * a second after its root span ends (or at once on Sentry.flush()).
 */
export async function waitFor<T>(find: (telemetry: Recorded) => T | undefined, timeoutMs = 3_000): Promise<T | undefined> {
  const deadline = Date.now() + patient(timeoutMs);
  for (;;) {
    const found = find(await recorded());
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** From the backend's Node SDK (the shopper simulator, though also @sentry/node, plays browsers): a span or an error. */
export const isBackend = (item: { sdk?: string; service: string }) => item.sdk === 'sentry.javascript.node' && item.service === 'backend';
/** From a browser SDK: the learner's frontend, not the simulated shoppers (a span or an error). */
export const isBrowser = (item: { sdk?: string }) => /browser|react/.test(item.sdk ?? '');

/**
 * An http.client span for a request to `path` (the SDK names them by host, "GET 127.0.0.1", and
 * keeps the URL in an attribute).
 */
export function requestTo(span: Span, path: string): boolean {
  return Object.values(span.attributes).some(
    (value) => typeof value === 'string' && URL.canParse(value, 'http://x') && new URL(value, 'http://x').pathname === path,
  );
}

/** The span and its ancestors within `spans`, nearest first. */
export function ancestry(span: Span, spans: Span[]): Span[] {
  const byId = new Map(spans.filter((s) => s.traceId === span.traceId).map((s) => [s.spanId, s]));
  const line: Span[] = [];
  for (let current: Span | undefined = span; current && !line.includes(current); current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined)
    line.push(current);
  return line;
}

/** A fresh trace to send a request in (`sentry-trace` without a sampling decision: the SDK's own rate decides). */
export function newTrace(): { traceId: string; headers: Record<string, string> } {
  const hex = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const traceId = hex(16);
  return { traceId, headers: { 'sentry-trace': `${traceId}-${hex(8)}` } };
}

/**
 * Plays `count` shoppers against the running shop (the sandbox's simulator) and waits for them.
 * The simulator ends itself with the Check: a finished Check leaves no shoppers behind to send
 * telemetry into the next one.
 */
export async function runShoppers(count: number): Promise<void> {
  const { spawn } = await import('node:child_process');
  // As `npm run shoppers` runs it (scripts/run-ts.mjs compiles and runs the TypeScript), once, under a name of its own.
  const args = ['scripts/run-ts.mjs', '--name', 'course-shoppers', 'scripts/shoppers.ts', '--rate', '600', '--count', String(count)];
  const child = spawn(process.execPath, args, { stdio: 'pipe' });
  process.once('exit', () => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`The shopper simulator failed (exit ${code}):\n${output.slice(-1500)}`);
}
