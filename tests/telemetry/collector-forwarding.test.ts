/**
 * The collector forwards every envelope to the learner's own Sentry as well. Sentry itself is out of
 * reach here: a local stand-in of its envelope endpoint takes its place, parsing each forwarded
 * envelope with @sentry/core's own parser and checking the auth header and the rewritten DSN. The
 * envelopes are serialized by @sentry/core, as the SDKs do.
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createEnvelope, serializeEnvelope } from '@sentry/core';
import { afterEach, describe, expect, test } from 'vitest';
import { createForwarder, MAX_QUEUED, parseDsn } from '../../sandboxes/storefront/collector/forward.mjs';
import { startCollector } from '../../sandboxes/storefront/collector/server.mjs';
import { startIngestStandIn } from '../support/ingest-stand-in.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The shop's collector with forwarding set to `dsn` (as the course writes it), and a way to read what it says. */
async function collectorForwardingTo(dsn: string | null) {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-forward-'));
  const settingsFile = join(dir, 'forward.json');
  const statusFile = join(dir, 'forward-status.json');
  if (dsn !== null) writeFileSync(settingsFile, JSON.stringify({ dsn }));
  const logged: string[] = [];
  let port = 0;
  const forwarder = createForwarder({ settingsFile, statusFile, log: (line: string) => logged.push(line), ownPort: () => port });
  const collector = await startCollector({ port: 0, recordDir: join(dir, '.telemetry'), onEnvelope: () => undefined, forwarder });
  port = collector.port;
  cleanups.push(
    () => collector.close(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  const send = (id: string, { gzip = false } = {}) => {
    const envelope = serializeEnvelope(
      createEnvelope(
        {
          event_id: id,
          dsn: `http://public@localhost:${collector.port}/1`,
          sent_at: new Date().toISOString(),
          sdk: { name: 'sentry.javascript.node', version: '11.12.0' },
        },
        [[{ type: 'event' }, { event_id: id, message: `event ${id}`, level: 'error' }]],
      ),
    );
    const body = gzip ? gzipSync(Buffer.from(envelope)) : Buffer.from(envelope);
    return fetch(`http://127.0.0.1:${collector.port}/api/1/envelope/`, { method: 'POST', body, headers: gzip ? { 'Content-Encoding': 'gzip' } : {} });
  };
  /** What the course reads: the status file, as the collector last wrote it. */
  const status = () => {
    try {
      return JSON.parse(readFileSync(statusFile, 'utf8'));
    } catch {
      return null;
    }
  };
  return { collector, forwarder, send, status, logged, settingsFile };
}

describe('a DSN, read as Sentry writes them', () => {
  test.each([
    ['https://abc123@o42.ingest.us.sentry.io/4507', 'https://o42.ingest.us.sentry.io/api/4507/envelope/', 'abc123'],
    ['http://key@localhost:9000/sentry/7', 'http://localhost:9000/sentry/api/7/envelope/', 'key'],
  ])('%s sends to %s with key %s', (dsn, endpoint, key) => {
    expect(parseDsn(dsn)).toMatchObject({ endpoint, publicKey: key, dsn });
  });

  test.each([
    ['not a url', /is not a DSN/],
    ['ftp://key@host/1', /starts with https:\/\//],
    ['https://o42.ingest.sentry.io/4507', /no public key/],
    ['https://key@o42.ingest.sentry.io/', /project number/],
  ])('%s is refused, saying why', (dsn, why) => {
    expect(() => parseDsn(dsn)).toThrow(why);
  });
});

describe("the collector forwards to the learner's Sentry (a local stand-in of its ingest)", () => {
  test('every envelope arrives whole, with the auth header and the DSN rewritten, gzipped when it came gzipped; the course still gets it', async () => {
    const ingest = await startIngestStandIn();
    cleanups.push(ingest.close);
    const { send, status } = await collectorForwardingTo(ingest.dsn);
    expect((await send('a1b2c3d4e5f60718293a4b5c6d7e8f90')).status).toBe(200);
    expect((await send('0f1e2d3c4b5a69788796a5b4c3d2e1f0', { gzip: true })).status).toBe(200);
    await expect.poll(() => ingest.forwarded.length).toBe(2);
    const [plain, zipped] = ingest.forwarded;
    expect(plain!.path).toBe('/api/4507/envelope/');
    expect(plain!.auth).toMatch(/^Sentry sentry_version=7, sentry_key=learnerkey, sentry_client=/);
    expect(plain!.envelope[0]).toMatchObject({ event_id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', dsn: ingest.dsn });
    expect(plain!.envelope[1][0]![1]).toMatchObject({ message: 'event a1b2c3d4e5f60718293a4b5c6d7e8f90' });
    expect(plain!.encoding).toBeUndefined();
    expect(zipped!.encoding).toBe('gzip');
    expect(zipped!.envelope[0]).toMatchObject({ event_id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0', dsn: ingest.dsn });
    await expect.poll(() => status()).toMatchObject({ dsn: ingest.dsn, forwarded: 2, dropped: 0, queued: 0, lastError: null });
  });

  test("401: the envelope is dropped and counted, and the learner reads that Sentry refused the DSN's key", async () => {
    const ingest = await startIngestStandIn([{ status: 401 }]);
    cleanups.push(ingest.close);
    const { send, status } = await collectorForwardingTo(ingest.dsn);
    await send('11111111111111111111111111111111');
    await expect.poll(() => status()?.dropped).toBe(1);
    expect(status().lastError.message).toMatch(/Sentry refused the DSN's key \(401\)/);
    await send('22222222222222222222222222222222');
    await expect.poll(() => status()?.forwarded).toBe(1);
  });

  test('429 with Retry-After: the envelope waits that long, then goes; nothing is dropped', async () => {
    const ingest = await startIngestStandIn([{ status: 429, headers: { 'Retry-After': '2' } }]);
    cleanups.push(ingest.close);
    const { send, status } = await collectorForwardingTo(ingest.dsn);
    const sent = Date.now();
    await send('33333333333333333333333333333333');
    await expect.poll(() => status()?.lastError?.message).toMatch(/Sentry asks to slow down \(429\): sending again in 2 s/);
    expect(status().retryAt).toBeGreaterThan(sent + 1000);
    await expect.poll(() => ingest.forwarded.length, { timeout: 10_000 }).toBe(1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1900);
    await expect.poll(() => status()).toMatchObject({ forwarded: 1, dropped: 0, queued: 0 });
  });

  test('a dead host: envelopes wait (up to the cap, the oldest dropped and counted past it), and go once it answers', async () => {
    const ingest = await startIngestStandIn();
    await ingest.close();
    const { send, status, forwarder, logged } = await collectorForwardingTo(ingest.dsn);
    await send('44444444444444444444444444444444');
    await expect.poll(() => status()?.lastError?.message).toMatch(/cannot be reached \(ECONNREFUSED\); trying again in 1 s/);
    for (let i = 0; i < MAX_QUEUED + 5; i++) await send(i.toString(16).padStart(32, '5'));
    await expect.poll(() => status()?.dropped).toBe(6);
    expect(status().queued).toBe(MAX_QUEUED);
    // Said once, in the terminal and as the last problem (a retry that fails since may be the last one now).
    expect(logged.filter((line) => /the oldest waiting were dropped/.test(line))).toHaveLength(1);

    // The same port answers again: everything that waited goes, in order.
    const revived = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end('{}'));
    });
    await new Promise<void>((resolve) => revived.listen(ingest.port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => revived.close(resolve)));
    forwarder.retryNow();
    await expect.poll(() => status()?.forwarded, { timeout: 30_000 }).toBe(MAX_QUEUED);
    expect(status()).toMatchObject({ queued: 0, dropped: 6 });
  });

  test('a malformed DSN forwards nothing and says what is wrong; fixing it starts forwarding', async () => {
    const ingest = await startIngestStandIn();
    cleanups.push(ingest.close);
    const { send, status, settingsFile } = await collectorForwardingTo('https://o42.ingest.sentry.io/4507');
    await expect.poll(() => status()?.problem, { timeout: 5000 }).toMatch(/no public key/);
    await send('66666666666666666666666666666666');
    expect(ingest.forwarded).toEqual([]);
    writeFileSync(settingsFile, JSON.stringify({ dsn: ingest.dsn }));
    await expect.poll(() => status()?.dsn, { timeout: 5000 }).toBe(ingest.dsn);
    await send('77777777777777777777777777777777');
    await expect.poll(() => ingest.forwarded.length).toBe(1);
  });

  test('outside the course (a downloaded shop), SENTRY_FORWARD_DSN turns it on', async () => {
    const ingest = await startIngestStandIn();
    cleanups.push(ingest.close);
    process.env.SENTRY_FORWARD_DSN = ingest.dsn;
    cleanups.push(() => delete process.env.SENTRY_FORWARD_DSN);
    const { send, status } = await collectorForwardingTo(null);
    await send('99999999999999999999999999999999');
    await expect.poll(() => ingest.forwarded.length).toBe(1);
    // The status file is written once Sentry's answer is read, a moment after the stand-in got it.
    await expect.poll(() => status()).toMatchObject({ dsn: ingest.dsn, forwarded: 1 });
  });

  test("the course's own DSN, pasted by mistake, is refused: it would send every envelope round and round", async () => {
    const { collector, send, status, settingsFile } = await collectorForwardingTo(null);
    writeFileSync(settingsFile, JSON.stringify({ dsn: `http://public@localhost:${collector.port}/1` }));
    await expect.poll(() => status()?.problem, { timeout: 5000 }).toMatch(/the DSN of this shop's own collector/);
    expect((await send('abababababababababababababababab')).status).toBe(200);
    expect(status()).toMatchObject({ dsn: null, forwarded: 0, queued: 0 });
  });

  test('without a DSN nothing is forwarded and nothing is written', async () => {
    const { send, status } = await collectorForwardingTo(null);
    expect((await send('88888888888888888888888888888888')).status).toBe(200);
    expect(status()).toBeNull();
  });
});
