// What the collector recorded in .telemetry/envelopes.ndjson, read with the course's own telemetry
// engine (the same parser the Telemetry panel uses), for checkpoint tests.
import { readFile } from 'node:fs/promises';
import { parseEnvelope } from './telemetry-engine/envelope.ts';
import type { ErrorEvent, Span } from './telemetry-engine/model.ts';
import { normalise } from './telemetry-engine/normalise.ts';

export type { ErrorEvent, Span };

export interface Recorded {
  spans: Span[];
  errors: ErrorEvent[];
}

export async function recorded(): Promise<Recorded> {
  const text = await readFile('.telemetry/envelopes.ndjson', 'utf8').catch(() => '');
  const result: Recorded = { spans: [], errors: [] };
  for (const line of text.split('\n').filter(Boolean)) {
    const parsed = parseEnvelope(Buffer.from(JSON.parse(line).envelope, 'base64'));
    if (!parsed.ok) continue;
    const telemetry = normalise(parsed.envelope);
    result.spans.push(...telemetry.spans);
    result.errors.push(...telemetry.errors);
  }
  return result;
}

/** Polls the recording until `find` returns something, or gives up after `timeoutMs`. */
export async function waitFor<T>(find: (telemetry: Recorded) => T | undefined, timeoutMs = 8_000): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find(await recorded());
    if (found !== undefined || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** From the backend's Node SDK (the shopper simulator, though also @sentry/node, plays browsers). */
export const isBackend = (span: Span) => span.sdk === 'sentry.javascript.node' && span.service === 'backend';
/** From a browser SDK: the learner's frontend, not the simulated shoppers. */
export const isBrowser = (span: Span) => /browser|react/.test(span.sdk ?? '');

/** Plays `count` shoppers against the running shop (the sandbox's simulator) and waits for them. */
export async function runShoppers(count: number): Promise<void> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/shoppers.ts', '--rate', '600', '--count', String(count)], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`The shopper simulator failed (exit ${code}):\n${output.slice(-1500)}`);
}
