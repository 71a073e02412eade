/**
 * The shop's own servers (Vite, the backend, the collector) and the course's preview proxies in
 * front of them, attacked by another user of the same machine: the real shop booted in the local
 * runtime (packages snapshot, lesson 1's files, `npm run dev`), the attacks run as a second Unix
 * user (tests/support/other-user.ts). They answer only to the learner's programs, never talk to a
 * port another user took, survive malformed requests, and keep the course's cookie to themselves.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { attachLocalRuntime, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { listenerOn } from '../../src/runtime/local/sandbox-processes.ts';
import { readAll, readUntil } from '../../src/runtime/process-output.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { BACKEND_PORT, COLLECTOR_PORT, FRONTEND_PORT } from '../../src/sandbox/shop.ts';
import { prepareSandbox, startShop } from '../../src/session/boot.ts';
import { LaunchAccess } from '../../src/server/access.ts';
import { httpRequests, inParallel, sendRaw } from '../support/fuzz.ts';
import { lastJson, otherUser, runAsOtherUser, spawnAsOtherUser, untilPrinted } from '../support/other-user.ts';
import { packagesSnapshot } from '../support/packages-snapshot.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

let server: Server;
let bridge: LocalRuntimeBridge;
let runtime: Runtime;
let folder: string;
let output = '';
const previews = new Map<number, string>();

beforeAll(async () => {
  const access = new LaunchAccess();
  const snapshot = await packagesSnapshot();
  server = createServer();
  bridge = attachLocalRuntime(server, {
    refuseUpgrade: (req) => access.refuseUpgrade(req),
    sandboxesDir: mkdtempSync(join(scratchDir(), 'ctl-shop-guard-')),
    cacheDir: mkdtempSync(join(tmpdir(), 'ctl-shop-guard-cache-')),
    snapshotsDir: snapshot.dir,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  access.listeningOn(port);
  runtime = await connectLocalRuntime(`ws://127.0.0.1:${port}/__runtime`, {
    ...access.pageCredentials(),
    // As the course's pages claim it: the guard in the shop's processes watches these ports.
    ports: [FRONTEND_PORT, BACKEND_PORT, COLLECTOR_PORT],
  });
  runtime.onServerReady((port, url) => previews.set(port, url));
  const callbacks = {
    onProgress: () => {},
    onOutput: (chunk: string) => {
      output += chunk;
    },
  };
  await prepareSandbox(runtime, (await lessonSandbox('01-meet-the-storefront')).start, snapshot, callbacks);
  await startShop(runtime, callbacks);
  for (let waited = 0; previews.size < 3 && waited < 30_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  folder = bridge.sessions()[0]!;
}, 300_000);

afterAll(async () => {
  await runtime?.teardown();
  await bridge?.close();
  server?.close();
});

/** The other user's fetches of `targets` ([name, url, method]): each one's status and text, or why it failed. */
const fetchesAsOtherUser = async (targets: [string, string, string][]) =>
  lastJson<Record<string, string>>(
    await runAsOtherUser(`
      const results = {};
      for (const [name, url, method] of ${JSON.stringify(targets)}) {
        try {
          const answer = await fetch(url, { method, signal: AbortSignal.timeout(5000) });
          results[name] = answer.status + ' ' + (await answer.text()).slice(0, 200);
        } catch (error) {
          results[name] = 'refused: ' + (error.cause?.code ?? error.cause?.message ?? error.message);
        }
      }
      console.log(JSON.stringify(results));`),
  );

const preview = (port: number, path: string) => new URL(path, previews.get(port)!).toString();
const peakMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe.skipIf(otherUser.skip)('another user of the machine gets nothing from the shop', () => {
  test("the shop's source, through Vite and through the preview: the learner gets it, the other user's connections are dropped", async () => {
    const source = `/@fs${folder}/backend/src/app.ts?raw`;
    const learner = await fetch(`http://127.0.0.1:${FRONTEND_PORT}${source}`);
    expect(learner.status).toBe(200);
    expect(await learner.text()).toContain('createApp');
    expect((await fetch(preview(FRONTEND_PORT, source))).status).toBe(200);

    const attempts = await fetchesAsOtherUser([
      ['vite', `http://127.0.0.1:${FRONTEND_PORT}${source}`, 'GET'],
      ['preview', preview(FRONTEND_PORT, source), 'GET'],
      ['backend', `http://127.0.0.1:${BACKEND_PORT}/products`, 'GET'],
      ['backend preview', preview(BACKEND_PORT, '/products'), 'GET'],
      ['recording', `http://127.0.0.1:${COLLECTOR_PORT}/recorded`, 'GET'],
      ['clear the recording', `http://127.0.0.1:${COLLECTOR_PORT}/recorded`, 'DELETE'],
      ['send telemetry', `http://127.0.0.1:${COLLECTOR_PORT}/api/1/envelope/`, 'POST'],
      ['collector preview', preview(COLLECTOR_PORT, '/recorded'), 'GET'],
    ]);
    for (const [name, result] of Object.entries(attempts)) expect(result, name).toMatch(/^refused: /);
    // The shop says so in the terminal, naming who was turned away.
    await expect.poll(() => output, { timeout: 5000 }).toMatch(new RegExp(`refused a connection to port ${FRONTEND_PORT} from a program of user ctl-attacker`));
    expect((await fetch(`http://127.0.0.1:${COLLECTOR_PORT}/recorded`)).status).toBe(200);
  });

  test("the course's session cookie never reaches the shop; the shop's own cookies do", async () => {
    const probe = createTcpServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    await runtime.spawn('node', [
      '-e',
      `require('http').createServer((q, s) => s.end(String(q.headers.cookie))).listen(${port}, '127.0.0.1', () => console.log('on http://127.0.0.1:${port}'))`,
    ]);
    await expect.poll(() => previews.has(port), { timeout: 15_000 }).toBe(true);
    const answer = await fetch(preview(port, '/'), { headers: { Cookie: 'ctl-session-4321=the-course-secret; cart=3' } });
    expect(await answer.text()).toBe('cart=3');
  });
});

describe('malformed requests never reach Vite', () => {
  test('`GET http://[/`, to Vite and through the preview: a 400 each, and Vite keeps serving', async () => {
    const previewPort = Number(new URL(previews.get(FRONTEND_PORT)!).port);
    for (const port of [FRONTEND_PORT, previewPort]) {
      for (const target of ['http://[/', '*', '//[']) {
        const answer = await sendRaw(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
        expect(answer, `${target} on ${port}`).toMatch(/^HTTP\/1\.1 400 /);
      }
      const upgrade = await sendRaw(
        port,
        `GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
      expect(upgrade).toMatch(/^HTTP\/1\.1 400 /);
    }
    expect((await fetch(preview(FRONTEND_PORT, '/'))).status).toBe(200);
  });

  test('a fuzz of 400 requests at Vite and 400 at its preview: both keep serving', { timeout: 180_000 }, async () => {
    const previewPort = Number(new URL(previews.get(FRONTEND_PORT)!).port);
    const vite = (await listenerOn(FRONTEND_PORT))!.pid!;
    const before = peakMiB(vite);
    for (const [port, seed] of [
      [FRONTEND_PORT, 21],
      [previewPort, 22],
    ] as const) {
      const requests = httpRequests(400, seed, [`Host: 127.0.0.1:${port}`]);
      await inParallel(requests, 16, (request) => sendRaw(port, request, 1500));
    }
    const alive = (await listenerOn(FRONTEND_PORT))?.pid === vite;
    console.log(
      `fuzz: 800 requests at Vite and its preview proxy, Vite ${alive ? 'alive' : 'DEAD'}, its peak memory ${before.toFixed(0)} → ${peakMiB(vite).toFixed(0)} MiB`,
    );
    expect(alive).toBe(true);
    expect((await fetch(preview(FRONTEND_PORT, '/'))).status).toBe(200);
  });
});

describe.skipIf(otherUser.skip)('a port another user takes while the backend restarts', () => {
  test('is named, never used: the preview answers 502 naming them, they receive nothing, the checks are told', { timeout: 60_000 }, async () => {
    const backend = (await listenerOn(BACKEND_PORT))!.pid!;
    process.kill(backend, 'SIGKILL');
    await expect.poll(async () => listenerOn(BACKEND_PORT), { timeout: 10_000 }).toBeNull();
    const squatter = spawnAsOtherUser(`
      import { createServer } from 'node:http';
      createServer((req, res) => {
        console.log('RECEIVED ' + req.method + ' ' + req.url + ' cookie=' + req.headers.cookie);
        res.end('[{"name":"their data"}]');
      }).listen(${BACKEND_PORT}, '127.0.0.1', () => console.log('listening'));`);
    try {
      await untilPrinted(squatter, /listening/);
      const through = await fetch(preview(FRONTEND_PORT, '/api/products'), { headers: { Cookie: 'ctl-session-4321=the-course-secret' } });
      expect(through.status).toBeGreaterThanOrEqual(500);
      expect(await through.text()).not.toContain('their data');
      const direct = await fetch(preview(BACKEND_PORT, '/products'));
      expect(direct.status).toBe(502);
      expect(await direct.text()).toMatch(/user ctl-attacker \(uid \d+\), not by the shop/);
      // Vite's proxy says who holds the port, in the learner's terminal.
      await expect.poll(() => output, { timeout: 5000 }).toMatch(/127\.0\.0\.1:3001 is served by a program of user ctl-attacker/);

      // The checks (a sandbox process, as Vitest in the sandbox) are told too; the shop's scripts can ask.
      const check = await runtime.spawn('node', [
        '-e',
        `fetch('http://127.0.0.1:${BACKEND_PORT}/health').then((r) => console.log('answered', r.status), (e) => console.log('refused:', e.cause?.message));
         console.log(JSON.stringify(globalThis[Symbol.for('checkout-trace-lab.sandbox-guard')].foreignListener(${BACKEND_PORT})));`,
      ]);
      const said = await readAll(check);
      expect(said).toMatch(/refused: 127\.0\.0\.1:3001 is served by a program of user ctl-attacker/);
      expect(said).toMatch(/"user":"ctl-attacker"/);
      expect(squatter.output()).not.toMatch(/RECEIVED/);
    } finally {
      squatter.kill('SIGKILL');
    }
  });
});

test("the guard judges TCP only: a Unix socket's server in the sandbox (tsx's IPC, say) answers as before", async () => {
  const probe = await runtime.spawn('node', [
    '-e',
    `const net = require('net');
     const server = net.createServer((c) => c.on('data', () => c.end('pong'))).listen('unix.sock', () => {
       const client = net.connect('unix.sock', () => client.write('ping'));
       client.on('data', (d) => { console.log('answered: ' + d); server.close(); });
       client.on('error', (e) => { console.log('failed: ' + e.code); server.close(); });
     });`,
  ]);
  expect((await readAll(probe)).trim()).toBe('answered: pong');
});

test('the guard is in every sandbox process, and answers the shop only where the local runtime runs it', async () => {
  const probe = await runtime.spawn('node', ['-e', "console.log(typeof globalThis[Symbol.for('checkout-trace-lab.sandbox-guard')]?.foreignListener)"]);
  expect((await readUntil(probe, /\n/)).trim()).toBe('function');
});
