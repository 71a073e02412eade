/**
 * What a Check reads of the collector's recording (content/checks-support/telemetry.ts) while the
 * collector moves it aside at half its cap: nothing sent during the Check is lost, however the
 * reads and the moves interleave, and nothing from before the Check is taken.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { startCollector } from '../../sandboxes/storefront/collector/server.mjs';

const folder = mkdtempSync(join(tmpdir(), 'ctl-check-recording-'));
const startedIn = process.cwd();
let collector: { port: number; close: () => Promise<void> };

const event = (id: string) =>
  `{"event_id":"${id}","sdk":{"name":"sentry.javascript.node"}}\n{"type":"event"}\n` +
  `${JSON.stringify({ event_id: id, timestamp: Date.now() / 1000, level: 'error', exception: { values: [{ type: 'Error', value: id }] } })}\n`;
const send = (id: string) => fetch(`http://127.0.0.1:${collector.port}/api/1/envelope/`, { method: 'POST', body: event(id) });

beforeAll(async () => {
  // The checks' support files as a Check places them in the sandbox (telemetry.ts and the engine it reads with).
  for (const [path, contents] of Object.entries((await lessonSandbox(lessonIds()[1]!)).checks)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), contents);
  }
  process.chdir(folder);
  collector = await startCollector({ port: 0, maxRecordingBytes: 4000, onEnvelope: () => {}, onNotice: () => {} });
});
afterAll(async () => {
  await collector?.close();
  process.chdir(startedIn);
  rmSync(folder, { recursive: true, force: true });
});

test("every error sent during a Check is read, across the recording's moves; none from before it", async () => {
  for (let i = 0; i < 3; i++) expect((await send(`before-${i}`)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.env.COURSE_CHECK_STARTED_AT = String(Date.now());
  const { recorded } = (await import(join(folder, 'course-checks', 'telemetry.ts'))) as {
    recorded: () => Promise<{ errors: { value: string }[] }>;
  };
  const sent: string[] = [];
  for (let i = 0; i < 40; i++) {
    sent.push(`during-${i}`);
    expect((await send(`during-${i}`)).status).toBe(200);
    // Reads at uneven moments: some moves happen between two reads, some between several.
    if (i % 3 === 0) await recorded();
  }
  const values = (await recorded()).errors.map((error) => error.value);
  expect(values).toEqual(sent);
});
