import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The collector is plain JavaScript in the sandbox, run as is by learners; tests use it the same way.
import { startCollector as start } from '../../sandboxes/storefront/collector/server.mjs';
import { TelemetryStore } from '../../src/telemetry/store.ts';

export interface TestCollector {
  port: number;
  dsn: string;
  recordDir: string;
  store: TelemetryStore;
  received: Uint8Array[];
  close: () => Promise<void>;
}

/**
 * The real collector on a free port, feeding a real store, as the workspace does. With
 * `pagesPostDirectly` it stands in for Sentry's ingest, which takes a page's envelopes from the browser.
 */
export async function startTestCollector({ pagesPostDirectly = false } = {}): Promise<TestCollector> {
  const recordDir = mkdtempSync(join(tmpdir(), 'ctl-telemetry-'));
  const store = new TelemetryStore();
  const received: Uint8Array[] = [];
  const collector = await start({
    port: 0,
    recordDir,
    pagesPostDirectly,
    onEnvelope: (bytes: Uint8Array, receivedAt: number) => {
      received.push(bytes);
      store.addEnvelope(new Uint8Array(bytes), receivedAt);
    },
  });
  return { port: collector.port, dsn: `http://public@127.0.0.1:${collector.port}/1`, recordDir, store, received, close: collector.close };
}
