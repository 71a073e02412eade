// The learner's own Sentry, judged by what the shop can tell: a DSN is given (Telemetry's "Send to
// your own Sentry" writes it where the collector reads it), Sentry has not refused it, and the
// collector forwards the shop's envelopes to the project it names. Sentry itself is neither
// reached nor judged: for the last check a local stand-in of Sentry's ingest takes the DSN host's
// place for a moment (the learner's key and project kept), and the learner's DSN is put back.
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, expect, test } from 'vitest';
import { FORWARD_SETTINGS, FORWARD_STATUS, type ForwardStatus } from '../collector/forward-files.mjs';
import { parseDsn } from '../collector/forward.mjs';
import { patient } from './patience.ts';
import { BACKEND, backendUpToDate } from './running-shop.ts';
import { newTrace } from './telemetry.ts';

const COLLECTOR_PORT = 8969;
const GIVE_IT = 'In Telemetry, open "Send to your own Sentry" (at the foot of the panel), paste your project\u2019s DSN and press Forward.';

const givenSettings = await readFile(FORWARD_SETTINGS, 'utf8').catch(() => null);
const given: string | undefined = (() => {
  try {
    return JSON.parse(givenSettings ?? '{}')?.dsn || undefined;
  } catch {
    return undefined;
  }
})();
const status = async (): Promise<ForwardStatus | null> => {
  try {
    return JSON.parse(await readFile(FORWARD_STATUS, 'utf8'));
  } catch {
    return null;
  }
};
const wait = async <T>(find: () => Promise<T | undefined>, ms: number): Promise<T | undefined> => {
  for (const deadline = Date.now() + patient(ms); Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const found = await find();
    if (found !== undefined) return found;
  }
  return undefined;
};

afterAll(async () => {
  // The learner's own setting, as it was before this Check.
  if (givenSettings !== null) await writeFile(FORWARD_SETTINGS, givenSettings);
});

test('a DSN of your Sentry project is given', () => {
  expect(given, `No DSN is given yet. ${GIVE_IT}`).toBeTruthy();
  let problem: string | undefined;
  try {
    if (parseDsn(given).isLocal(COLLECTOR_PORT)) {
      problem = `${given} is the course's own collector (its DSN is in instrument.ts), not your Sentry project. Copy the DSN from your project's Settings \u2192 Client Keys (DSN).`;
    }
  } catch (error) {
    problem = `The DSN given does not work: ${(error as Error).message}.`;
  }
  expect(problem, problem).toBeUndefined();
});

test('Sentry has not refused it', async () => {
  const seen = await status();
  const refused = seen?.dsn === given && /refused the DSN's key/.test(seen?.lastError?.message ?? '') ? seen!.lastError!.message : undefined;
  expect(
    refused,
    `Your Sentry answered: ${refused}. Copy the DSN again from your project's Settings \u2192 Client Keys (DSN), and check the key is enabled.`,
  ).toBeUndefined();
});

test("the shop forwards what it sends to your project (a local stand-in of Sentry's ingest receives it, not Sentry itself)", async () => {
  expect(given, `Give a DSN first. ${GIVE_IT}`).toBeTruthy();
  const target = parseDsn(given);
  const received: { path: string; auth: string; dsn: unknown }[] = [];
  const standIn = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
        const header = JSON.parse(body.subarray(0, body.indexOf(0x0a) === -1 ? body.length : body.indexOf(0x0a)).toString('utf8'));
        received.push({ path: req.url ?? '', auth: String(req.headers['x-sentry-auth'] ?? ''), dsn: header.dsn });
      } catch {
        // not an envelope: not counted
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  try {
    const standInDsn = `http://${target.publicKey}@127.0.0.1:${(standIn.address() as AddressInfo).port}/${target.projectId}`;
    await writeFile(FORWARD_SETTINGS, `${JSON.stringify({ dsn: standInDsn })}\n`);
    const taken = await wait(async () => ((await status())?.dsn === standInDsn ? true : undefined), 5000);
    expect(taken, 'The shop\u2019s collector did not take the DSN within 5 s. Is the shop running? Shop output shows the collector\u2019s lines.').toBe(true);
    await backendUpToDate();
    await fetch(`${BACKEND}/products`, { headers: newTrace().headers }).catch(() => undefined);
    const first = await wait(async () => received[0], 10_000);
    expect(
      first,
      'Nothing was forwarded within 10 s of a request to the backend. Is the backend still traced (lesson 2), and does Shop output show the collector receiving envelopes?',
    ).toBeDefined();
    expect(first!.path, 'Forwarded to the wrong endpoint.').toBe(`/api/${target.projectId}/envelope/`);
    expect(first!.auth, "Forwarded without your DSN's key.").toContain(`sentry_key=${target.publicKey}`);
    expect([undefined, standInDsn], 'The forwarded envelope still names the course\u2019s collector as its DSN.').toContain(first!.dsn);
  } finally {
    await new Promise((resolve) => standIn.close(resolve));
  }
});
