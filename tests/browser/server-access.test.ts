/**
 * Who may use the course server, probed from outside as another program on the machine would:
 * with real requests to the real server `npm start` runs. (As another user of the machine, and in
 * a real browser: other-users.test.ts.)
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { KEY_PROTOCOL_PREFIX, PROTOCOL } from '../../src/runtime/local/protocol.ts';
import { sendRaw } from '../support/fuzz.ts';
import { SIGN_IN_LINE, signIn, startSite, type RunningSite } from '../support/site-server.ts';

let site: RunningSite;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site?.stop());

const port = () => Number(new URL(site.url).port);
const LESSON = '/lessons/01-meet-the-storefront/';

/** A WebSocket handshake with these headers, offering `key` as the page does; the HTTP status (101 = accepted). */
function handshake(headers: Record<string, string>, key: string | null = site.key): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(site.runtimeUrl, key === null ? [PROTOCOL] : [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${key}`], { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

const signInPost = (body: string, headers: Record<string, string> = { Origin: site.url, 'Content-Type': 'application/json' }) =>
  fetch(`${site.url}/__sign-in`, { method: 'POST', headers, body });

describe('the course server serves only the browser signed in with the link it printed', () => {
  test('`npm start` prints one link to open, which signs in', () => {
    expect(site.output()).toMatch(
      /Checkout Trace Lab is running\. Open this link in your browser \(it signs you in\):\n\n {4}http:\/\/localhost:\d+\/\?token=[\w-]+\n/,
    );
  });

  test('its pages carry no secret: without the cookie nothing is served, with it the page only says the runtime is there', async () => {
    const anonymous = await fetch(`${site.url}${LESSON}`);
    expect(anonymous.status).toBe(401);
    const refusal = await anonymous.text();
    expect(refusal).toMatch(/Open the link <code>npm start<\/code> printed/);
    expect(refusal).not.toContain(site.headers.Cookie.split('=')[1]);

    const page = await site.fetch(LESSON);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<meta name="ctl-local-runtime" content="">');
    expect(html).not.toContain(site.headers.Cookie.split('=')[1]);
    expect(html).not.toContain(site.key);
    expect((await fetch(`${site.url}/_astro/`)).status).toBe(401);
  });

  test('the sign-in answers a cookie (HttpOnly, SameSite=Strict) and a key for the page, once, and sends the page on without the token', async () => {
    expect(site.setCookie).toMatch(/; HttpOnly/);
    expect(site.setCookie).toMatch(/; SameSite=Strict/);
    expect(site.signInLocation).toBe('/');
    expect(site.key).toMatch(/^[\w-]{32}$/);
    const printed = SIGN_IN_LINE.exec(site.output())![0];
    const again = await signInPost(JSON.stringify({ href: printed }));
    expect(again.status).toBe(403);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect((await again.json()).reason).toMatch(/each link works once/);
  });

  test('a link preview (HEAD, or a GET that runs no script) leaves the link working', async () => {
    const link = await site.newSignInLink();
    const head = await fetch(link, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('set-cookie')).toBeNull();
    const get = await fetch(link);
    expect(get.status).toBe(200);
    expect(get.headers.get('set-cookie')).toBeNull();
    // The page holds no secret, and its address goes nowhere else.
    expect(get.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await get.text()).not.toContain(new URL(link).searchParams.get('token'));
    await expect(signIn(site.url, link)).resolves.toMatchObject({ key: expect.any(String) });
  });

  test("only the course's own sign-in page may redeem a link: another Origin, or a form, is refused", async () => {
    const link = await site.newSignInLink();
    const body = JSON.stringify({ href: link });
    expect((await signInPost(body, { Origin: 'http://localhost:8080', 'Content-Type': 'application/json' })).status).toBe(403);
    expect((await signInPost(body, { 'Content-Type': 'application/json' })).status).toBe(403);
    expect((await signInPost(`href=${encodeURIComponent(link)}`, { Origin: site.url, 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    // None of those used it up.
    await expect(signIn(site.url, link)).resolves.toMatchObject({ key: expect.any(String) });
  });

  test('a request for another Host (a DNS-rebound name) is refused before anything is read', async () => {
    const raw = await sendRaw(port(), `GET ${LESSON} HTTP/1.1\r\nHost: evil.example:${port()}\r\nCookie: ${site.headers.Cookie}\r\nConnection: close\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 421 /);
    expect(raw).not.toContain('<html');
  });

  test('the WebSocket needs the cookie, this server\u2019s Origin and the key of the same session', async () => {
    expect(await handshake(site.headers)).toBe(101);
    expect(await handshake({ Origin: site.url })).toBe(403);
    expect(await handshake({ Cookie: site.headers.Cookie })).toBe(403);
    expect(await handshake({ ...site.headers, Origin: 'http://evil.example' })).toBe(403);
    expect(await handshake({ ...site.headers, Host: 'evil.example' })).toBe(403);
    // The cookie is what a page on another port receives; alone, with a forged Origin, it opens nothing.
    expect(await handshake(site.headers, null)).toBe(403);
    const other = await signIn(site.url, await site.newSignInLink());
    expect(await handshake(site.headers, other.key)).toBe(403);
  });

  test('no page of it may be framed by another site: every answer says so', async () => {
    for (const answer of [await site.fetch(LESSON), await fetch(`${site.url}${LESSON}`), await fetch(`${site.url}/?token=x`)]) {
      expect(answer.headers.get('content-security-policy'), answer.url).toMatch(/frame-ancestors 'self'/);
      expect(answer.headers.get('x-frame-options'), answer.url).toBe('SAMEORIGIN');
    }
    const misdirected = await sendRaw(port(), `GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
    expect(misdirected).toMatch(/^HTTP\/1\.1 421 [\s\S]*content-security-policy: frame-ancestors 'self'/i);
  });
});

describe('it serves what it prints', () => {
  test('`localhost` is this server on both loopback addresses: no other program can take the port on [::1]', async () => {
    for (const address of ['127.0.0.1', '::1']) {
      const answer = await sendRaw(port(), `GET / HTTP/1.1\r\nHost: localhost:${port()}\r\nConnection: close\r\n\r\n`, 2000, 'utf8', address);
      expect(answer, address).toMatch(/^HTTP\/1\.1 401 /);
    }
    const squat = createServer();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      squat.once('error', resolve);
      squat.listen(port(), '::1', () => resolve(null));
    });
    squat.close();
    expect(error?.code).toBe('EADDRINUSE');
  });
});

describe('signing in again, and signing everyone out, where `npm start` runs', () => {
  test('Enter prints a new link and signs no one out; "signout" ends every session and its sandbox', { timeout: 60_000 }, async () => {
    const other = await startSite();
    try {
      const { connectLocalRuntime } = await import('../../src/runtime/local/client.ts');
      const runtime = await connectLocalRuntime(other.runtimeUrl, other.credentials);
      const failures: string[] = [];
      runtime.onFailure((failure) => failures.push(failure.message));
      const sleeper = await runtime.spawn('node', ['-e', 'setInterval(() => {}, 1000)']);

      await other.newSignInLink();
      expect((await other.fetch(LESSON)).status).toBe(200);

      other.type('signout');
      expect(await sleeper.exit).not.toBe(0);
      await expect.poll(() => failures.join('\n')).toMatch(/You signed every browser out of the course server\. Open the new link/);
      await expect
        .poll(() => other.output())
        .toMatch(/Signed out 1 session\(s\)\. Open the new link to sign in again:\n\n {4}http:\/\/localhost:\d+\/\?token=/);
      expect((await other.fetch(LESSON)).status).toBe(401);
      await expect(connectLocalRuntime(other.runtimeUrl, other.credentials)).rejects.toMatchObject({ code: 'unauthorized' });
      const link = [...other.output().matchAll(new RegExp(SIGN_IN_LINE.source, 'g'))].at(-1)![0];
      await expect(signIn(other.url, link)).resolves.toMatchObject({ key: expect.any(String) });
    } finally {
      await other.stop();
    }
  });
});
