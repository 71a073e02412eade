/**
 * The collector as the sandbox runs it (its own process), probed as a careless or hostile client
 * would: malformed requests, compression bombs, oversized bodies, a recording that reaches its cap or cannot be written,
 * other sites' pages, terminal escapes, and a fuzz. It keeps serving throughout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterEach, describe, expect, test } from 'vitest';
import { OutputFrameReader } from '../../src/sandbox/output-frames.ts';
import { httpRequests, inParallel, sendRaw } from '../support/fuzz.ts';

const good = (id: string, sdk = 'sentry.javascript.browser') =>
  `{"event_id":"${id}","sdk":{"name":${JSON.stringify(sdk)}}}\n{"type":"event"}\n{"event_id":"${id}","message":"hi"}\n`;

interface RunningCollector {
  port: number;
  process: ChildProcess;
  dir: string;
  /** Terminal text (frames taken out). */
  text: () => string;
  notices: (string | null)[];
  frames: number;
  base: string;
}

const running: RunningCollector[] = [];
afterEach(() => {
  for (const collector of running.splice(0)) {
    collector.process.kill('SIGKILL');
    rmSync(collector.dir, { recursive: true, force: true });
  }
});

async function startCollectorProcess(env: Record<string, string> = {}): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-collector-'));
  const child = spawn(process.execPath, [new URL('../../sandboxes/storefront/collector/server.mjs', import.meta.url).pathname], {
    cwd: dir,
    env: { ...process.env, COLLECTOR_PORT: '0', SHOP_STATUS_FRAMES: '1', ...env },
  });
  const reader = new OutputFrameReader();
  const collector = { process: child, dir, notices: [] as (string | null)[], frames: 0, port: 0, base: '', text: () => text };
  let text = '';
  const take = (chunk: Buffer) => {
    const out = reader.push(chunk.toString('utf8'));
    collector.frames += out.envelopes.length;
    collector.notices.push(...out.notices);
    text += out.text;
  };
  child.stdout.on('data', take);
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  collector.port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /127\.0\.0\.1:(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${text}`)));
  });
  collector.base = `http://127.0.0.1:${collector.port}`;
  running.push(collector);
  return collector;
}

const healthy = async (collector: RunningCollector) => {
  expect(collector.process.exitCode).toBeNull();
  expect((await fetch(`${collector.base}/health`)).status).toBe(200);
};

/** Peak resident memory of a process so far (Linux VmHWM), in MiB. */
const peakMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** About 1 MiB of gzip that inflates to 1 GiB of zeros. */
async function gzipBomb(): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < 1024; i++) if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

describe('the collector survives what clients send', () => {
  test('a request line `new URL()` cannot parse gets a 400; the collector keeps serving', async () => {
    const collector = await startCollectorProcess();
    const answer = await sendRaw(collector.port, `GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${collector.port}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await healthy(collector);
  });

  test('a gzip bomb (1 MiB inflating to 1 GiB), four at once, is refused with 413 and never inflated in memory', { timeout: 60_000 }, async () => {
    const collector = await startCollectorProcess();
    const bomb = await gzipBomb();
    expect(bomb.length).toBeLessThan(1.2 * 2 ** 20);
    const before = peakMiB(collector.process.pid!);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: new Uint8Array(bomb), headers: { 'Content-Encoding': 'gzip' } }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toEqual([413, 413, 413, 413]);
    expect((await answers[0]!.json()).detail).toMatch(/decompressed/);
    const peak = peakMiB(collector.process.pid!);
    console.log(`collector peak memory: ${before.toFixed(0)} MiB at rest, ${peak.toFixed(0)} MiB after four 1 MiB gzip bombs`);
    expect(peak).toBeLessThan(250);
    await healthy(collector);
  });

  test('an oversized body gets its 413 before the connection closes', { timeout: 30_000 }, async () => {
    const collector = await startCollectorProcess();
    const answer = await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: new Uint8Array(25 * 2 ** 20).fill(0x20) });
    expect(answer.status).toBe(413);
    expect((await answer.json()).detail).toMatch(/larger than/);
    await healthy(collector);
  });
});

describe('the recording keeps to its cap, and always holds what is new', () => {
  const recordedIds = async (collector: RunningCollector) =>
    ((await (await fetch(`${collector.base}/recorded`)).json()) as { envelope: string }[]).map(
      ({ envelope }) => /"event_id":"([^"]+)"/.exec(Buffer.from(envelope, 'base64').toString('utf8'))![1],
    );

  test('past half its cap the recording so far moves aside and the part before it goes; every envelope still reaches the course', async () => {
    const limit = 3000;
    const collector = await startCollectorProcess({ COLLECTOR_RECORDING_LIMIT: String(limit) });
    const folder = join(collector.dir, '.telemetry');
    const size = (name: string) => (existsSync(join(folder, name)) ? statSync(join(folder, name)).size : 0);
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: good(`id${i}`) })).status).toBe(200);
      expect(size('envelopes.ndjson') + size('envelopes.1.ndjson'), `the recording's two parts after envelope ${i}`).toBeLessThanOrEqual(limit);
    }
    // Every envelope reached the course, live; the recording holds the newest, in order, the oldest gone.
    await expect.poll(() => collector.frames).toBe(20);
    const ids = await recordedIds(collector);
    expect(ids.at(-1)).toBe('id19');
    expect(ids).not.toContain('id0');
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => `id${20 - ids.length + i}`));
    expect(collector.notices.filter(Boolean)).toEqual([]);

    // Clearing removes both parts.
    expect((await fetch(`${collector.base}/recorded`, { method: 'DELETE' })).status).toBe(200);
    expect(await recordedIds(collector)).toEqual([]);
  });

  test('when it cannot record, the panel is told why, the envelope still reaches the course, and the notice goes once it records again', async () => {
    const collector = await startCollectorProcess({ COLLECTOR_RECORDING_LIMIT: '3000' });
    const folder = join(collector.dir, '.telemetry');
    // Where the recording would move aside stands a folder with something in it: the move fails.
    mkdirSync(join(folder, 'envelopes.1.ndjson', 'taken'), { recursive: true });
    for (let i = 0; i < 20; i++) expect((await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: good(`id${i}`) })).status).toBe(200);
    await expect.poll(() => collector.frames).toBe(20);
    await expect.poll(() => collector.notices.at(-1)).toMatch(/could not record telemetry in .*envelopes\.ndjson \(E[A-Z]+\).*Check does not see it/);
    await healthy(collector);

    rmSync(join(folder, 'envelopes.1.ndjson'), { recursive: true });
    await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: good('again') });
    await expect.poll(() => collector.notices.at(-1)).toBeNull();
    expect((await recordedIds(collector)).at(-1)).toBe('again');
  });
});

describe("CORS: the shop's own pages may send envelopes; no page may read or clear the recording", () => {
  test.each([
    ['the shop on Vite', 'http://localhost:5173', true],
    ['the shop on Vite, by address', 'http://127.0.0.1:5173', true],
    ["the local runtime's preview proxy", 'http://127.0.0.1:41234', true],
    ['a WebContainer preview', 'https://k03e2io1v3fx9wvj0vr8qd5q58o56n-fkdo--5173--6ba59070.local-credentialless.webcontainer-api.io', true],
    ['another site', 'http://evil.example', false],
    ['a look-alike host', 'https://webcontainer-api.io.evil.example', false],
    ['an https loopback look-alike', 'http://localhost.evil.example:5173', false],
  ])('%s (%s): allowed %s', async (_name, origin, allowed) => {
    const collector = await startCollectorProcess();
    const preflight = await fetch(`${collector.base}/api/1/envelope/`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
    });
    // A page sends through the tunnel: in a browser sandbox it can reach no other port.
    const viaTunnel = `{"event_id":"cors","dsn":"http://public@localhost:8969/1"}\n{"type":"event"}\n{"message":"hi"}\n`;
    const sent = await fetch(`${collector.base}/tunnel`, { method: 'POST', body: viaTunnel, headers: { Origin: origin } });
    for (const answer of [preflight, sent]) expect(answer.headers.get('access-control-allow-origin')).toBe(allowed ? origin : null);
    expect(sent.headers.get('vary')).toMatch(/Origin/);
  });

  test('the recording is answered with no CORS at all, and a browser request from another page is refused', async () => {
    const collector = await startCollectorProcess();
    const preflight = await fetch(`${collector.base}/recorded`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'DELETE' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const read = await fetch(`${collector.base}/recorded`, { headers: { Origin: 'http://localhost:5173' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    // What a browser says of a page on another port of this machine (same site, other origin).
    for (const method of ['GET', 'DELETE']) {
      const fromPage = await fetch(`${collector.base}/recorded`, { method, headers: { 'Sec-Fetch-Site': 'same-site', Origin: 'http://localhost:8080' } });
      expect(fromPage.status).toBe(403);
    }
    expect((await fetch(`${collector.base}/recorded`, { method: 'DELETE' })).status).toBe(200);
  });
});

describe('it listens where its DSN points: localhost, on both loopback addresses', () => {
  test('it answers on [::1] as on 127.0.0.1', async () => {
    const collector = await startCollectorProcess();
    expect((await fetch(`http://[::1]:${collector.port}/health`)).status).toBe(200);
  });

  test('another program on [::1] at its port: it does not start, and says why', async () => {
    const squatter = createTcpServer().listen(0, '::1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    const port = (squatter.address() as AddressInfo).port;
    try {
      await expect(startCollectorProcess({ COLLECTOR_PORT: String(port) })).rejects.toThrow(
        new RegExp(`exited with 1: .*\\[::1\\]:${port} is taken: The backend's SDK sends to localhost:${port}, which may reach it instead`),
      );
    } finally {
      squatter.close();
    }
  });
});

test('a request for any other Host (a DNS-rebound name) is refused before anything is read', async () => {
  const collector = await startCollectorProcess();
  for (const host of ['evil.example', `evil.example:${collector.port}`, `127.0.0.1:${collector.port + 1}`, '']) {
    const answer = await sendRaw(collector.port, `GET /recorded HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    expect(answer, host).toMatch(/^HTTP\/1\.1 (421|400) /);
  }
  for (const host of [`localhost:${collector.port}`, `[::1]:${collector.port}`, `127.0.0.1:${collector.port}`]) {
    expect(await sendRaw(collector.port, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`), host).toMatch(/^HTTP\/1\.1 200 /);
  }
});

describe('bounded, whatever clients do at once', () => {
  /** A well-formed envelope of about `megabytes` MiB (one attachment). */
  const bigEnvelope = (megabytes: number) => {
    const payload = 'x'.repeat(megabytes * 2 ** 20 - 200);
    return `{"event_id":"big"}\n{"type":"attachment","length":${payload.length}}\n${payload}\n`;
  };

  test('16 envelopes of 20 MB at once: every one is answered, and memory stays bounded', { timeout: 120_000 }, async () => {
    const collector = await startCollectorProcess();
    const body = bigEnvelope(19);
    const before = peakMiB(collector.process.pid!);
    const answers = await Promise.all(Array.from({ length: 16 }, () => fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body })));
    const statuses = answers.map((answer) => answer.status);
    const peak = peakMiB(collector.process.pid!);
    console.log(`collector peak memory: ${before.toFixed(0)} MiB at rest, ${peak.toFixed(0)} MiB after 16 concurrent 19 MiB envelopes (${statuses.join(' ')})`);
    // Taken in turns, not all at once: each either went through or was told to retry.
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(peak).toBeLessThan(400);
    await healthy(collector);
  });

  test('16 readers of a 100 MB recording that read nothing: the collector holds little of it for them', { timeout: 60_000 }, async () => {
    const collector = await startCollectorProcess({ COLLECTOR_RECORDING_LIMIT: String(256 * 2 ** 20) });
    mkdirSync(join(collector.dir, '.telemetry'), { recursive: true });
    const line = `${JSON.stringify({
      received: 1,
      envelope: Buffer.from(good('r'))
        .toString('base64')
        .padEnd(64 * 1024, 'A'),
    })}\n`;
    writeFileSync(join(collector.dir, '.telemetry', 'envelopes.ndjson'), line.repeat(Math.ceil((100 * 2 ** 20) / line.length)));
    const before = peakMiB(collector.process.pid!);
    const readers = await Promise.all(
      Array.from(
        { length: 16 },
        () =>
          new Promise<{ socket: Socket; head: () => string }>((resolve) => {
            let head = '';
            const socket = connect(collector.port, '127.0.0.1', () => {
              socket.write(`GET /recorded HTTP/1.1\r\nHost: 127.0.0.1:${collector.port}\r\n\r\n`);
              resolve({ socket, head: () => head });
            });
            // Takes the first bytes (the status line), then never reads again.
            socket.once('data', (chunk) => {
              head = chunk.toString('latin1', 0, 20);
              socket.pause();
            });
          }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const peak = peakMiB(collector.process.pid!);
    const statuses = readers.map(({ head }) => /^HTTP\/1\.1 (\d+)/.exec(head())?.[1]);
    console.log(`collector peak memory: ${before.toFixed(0)} MiB at rest, ${peak.toFixed(0)} MiB with 16 stalled readers of 100 MiB (${statuses.join(' ')})`);
    expect(statuses.filter((status) => status === '200')).toHaveLength(4);
    expect(statuses.filter((status) => status === '503')).toHaveLength(12);
    expect(peak - before).toBeLessThan(64);
    for (const { socket } of readers) socket.destroy();
    await healthy(collector);
  });
});

test('run outside the course (a downloaded shop), it prints one line per envelope and no frames; it still records them', async () => {
  const collector = await startCollectorProcess({ SHOP_STATUS_FRAMES: '' });
  expect((await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: good('plain') })).status).toBe(200);
  await expect.poll(() => collector.text()).toMatch(/envelope #1 from /);
  expect(collector.frames).toBe(0);
  expect(collector.text()).not.toContain('@@collector');
  const recorded = (await (await fetch(`${collector.base}/recorded`)).json()) as unknown[];
  expect(recorded).toHaveLength(1);
});

test('nothing a request sends reaches the terminal as a control sequence', async () => {
  const collector = await startCollectorProcess();
  await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: good('esc', 'evil\u001b[2J\u001b]0;pwned\u0007') });
  // HTTP allows bytes 0x80-0xFF in a header value: 0x9B is a terminal's one-byte CSI.
  await sendRaw(
    collector.port,
    `POST /api/1/envelope/ HTTP/1.1\r\nHost: 127.0.0.1:${collector.port}\r\nContent-Encoding: x\u009b2J\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    2000,
    'latin1',
  );
  await expect.poll(() => collector.text()).toMatch(/rejected POST/);
  expect(collector.text()).toMatch(/envelope #1 from evil/);
  expect(collector.text()).not.toMatch(/[\u001b\u0007\u009b]/);
});

test('fuzz: 2,000 random and malformed requests, then it still takes an envelope', { timeout: 120_000 }, async () => {
  const collector = await startCollectorProcess();
  const requests = httpRequests(2000, 3, [`Host: 127.0.0.1:${collector.port}`, 'Content-Type: text/plain']);
  await inParallel(requests, 16, (request) => sendRaw(collector.port, request, 1500));
  console.log(
    `fuzz: ${requests.length} requests thrown at the collector, ${collector.process.exitCode === null ? 'alive' : 'DEAD'}, its peak memory ${peakMiB(collector.process.pid!).toFixed(0)} MiB`,
  );
  await healthy(collector);
  expect((await fetch(`${collector.base}/api/1/envelope/`, { method: 'POST', body: good('after') })).status).toBe(200);
});
