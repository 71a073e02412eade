/**
 * Nothing a client sends takes the course server down: malformed upgrades, malformed socket
 * messages, and a fuzz of both and of plain HTTP requests. After each, the real server still
 * serves pages and still runs a sandbox.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { KEY_PROTOCOL_PREFIX, PROTOCOL } from '../../src/runtime/local/protocol.ts';
import { httpRequests, inParallel, sendRaw, socketMessages } from '../support/fuzz.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';

let site: RunningSite;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site?.stop());

const port = () => Number(new URL(site.url).port);
/** The server's peak resident memory so far (Linux VmHWM), in MiB. */
const peakMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${site.process.pid}/status`, 'utf8'))![1]) / 1024;

/** The server still runs, serves a page, and runs a process in a sandbox. */
async function stillServes() {
  expect(site.process.exitCode).toBeNull();
  expect((await site.fetch('/')).status).toBe(200);
  const runtime = await connectLocalRuntime(site.runtimeUrl, site.credentials);
  const echo = await runtime.spawn('node', ['-e', 'console.log("still here")']);
  expect(await echo.exit).toBe(0);
  await runtime.teardown();
}

/** A socket to the bridge, as the signed-in page; collects what the bridge answers. */
async function pageSocket() {
  const socket = new WebSocket(site.runtimeUrl, [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${site.key}`], { headers: site.headers });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const received: { id?: number; ok?: boolean; event?: string; error?: { code: string; message: string } }[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data))));
  return { socket, received };
}

describe('malformed upgrades', () => {
  test('a path `new URL()` cannot parse gets an answer; the server keeps serving', async () => {
    const answer = await sendRaw(
      port(),
      `GET //[ HTTP/1.1\r\nHost: localhost:${port()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ` +
        `dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    await stillServes();
  });

  test('an upgrade on any other path is answered (404), not left hanging', async () => {
    const started = Date.now();
    const answer = await sendRaw(
      port(),
      `GET /somewhere-else HTTP/1.1\r\nHost: localhost:${port()}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: ` +
        `13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      5000,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 404 /);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('malformed socket messages get a clear error, and the server keeps serving', () => {
  test.each([['null'], ['42'], ['"text"'], ['[]'], ['{}'], ['{"op":"spawn"}']])('%s', async (message) => {
    const { socket, received } = await pageSocket();
    socket.send(message);
    await expect.poll(() => received.find((m) => m.event === 'invalid-message')).toBeDefined();
    socket.close();
    await stillServes();
  });

  test('stdin whose data is a number', async () => {
    const { socket, received } = await pageSocket();
    socket.send(JSON.stringify({ id: 1, op: 'claim', label: 'fuzz' }));
    socket.send(JSON.stringify({ id: 2, op: 'spawn', processId: 3, command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], options: {} }));
    await expect.poll(() => received.filter((m) => m.ok).length).toBe(2);
    socket.send(JSON.stringify({ op: 'stdin', processId: 3, data: 42 }));
    await expect.poll(() => received.find((m) => m.event === 'invalid-message')).toBeDefined();
    socket.close();
    await stillServes();
  });

  test('a request with an id gets its error back, naming what was wrong', async () => {
    const { socket, received } = await pageSocket();
    socket.send(JSON.stringify({ id: 7, op: 'readFile', path: 5 }));
    await expect
      .poll(() => received.find((m) => m.id === 7))
      .toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/path/) } });
    socket.close();
  });
});

describe('fuzz', () => {
  test('3,000 random and malformed socket messages: no crash, every request answered', { timeout: 120_000 }, async () => {
    const messages = socketMessages(3000, 11);
    const { socket, received } = await pageSocket();
    socket.send(JSON.stringify({ id: 0, op: 'claim', label: 'fuzz' }));
    for (const message of messages) socket.send(message);
    // The last word: a request the bridge answers after all of the above.
    socket.send(JSON.stringify({ id: 2 ** 40, op: 'readdir', path: '' }));
    await expect.poll(() => received.some((m) => m.id === 2 ** 40), { timeout: 60_000 }).toBe(true);
    console.log(
      `fuzz: ${messages.length} socket messages thrown, ${received.length} answers, server ${site.process.exitCode === null ? 'alive' : 'DEAD'}, ` +
        `its peak memory ${peakMiB().toFixed(0)} MiB`,
    );
    socket.close();
    await stillServes();
  });

  test('2,000 random and malformed HTTP requests (pages, upgrades, sign-in): no crash', { timeout: 120_000 }, async () => {
    const signedIn = [`Host: localhost:${port()}`, `Cookie: ${site.headers.Cookie}`, `Origin: ${site.url}`];
    const requests = httpRequests(2000, 7, signedIn);
    await inParallel(requests, 16, (request) => sendRaw(port(), request, 1500));
    console.log(
      `fuzz: ${requests.length} HTTP requests thrown, server ${site.process.exitCode === null ? 'alive' : 'DEAD'}, its peak memory ${peakMiB().toFixed(0)} MiB`,
    );
    await stillServes();
  });
});
