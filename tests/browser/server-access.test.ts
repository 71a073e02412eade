/**
 * Who may use the course server, probed from outside as another program (or another user) on the
 * machine would: with real requests to the real server `npm start` runs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL } from '../../src/runtime/local/protocol.ts';
import { sendRaw } from '../support/fuzz.ts';
import { SIGN_IN_LINE, startSite, type RunningSite } from '../support/site-server.ts';

let site: RunningSite;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site?.stop());

const port = () => Number(new URL(site.url).port);
const LESSON = '/lessons/01-meet-the-storefront/';

function handshake(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(site.runtimeUrl, [PROTOCOL], { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

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
    expect((await fetch(`${site.url}/_astro/`)).status).toBe(401);
  });

  test('the sign-in link works once; its cookie is HttpOnly and SameSite=Strict, and the token leaves the address bar', async () => {
    expect(site.setCookie).toMatch(/; HttpOnly/);
    expect(site.setCookie).toMatch(/; SameSite=Strict/);
    expect(site.signInLocation).toBe('/');
    const printed = SIGN_IN_LINE.exec(site.output())![0];
    const again = await fetch(printed, { redirect: 'manual' });
    expect(again.status).toBe(403);
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  test('a request for another Host (a DNS-rebound name) is refused before anything is read', async () => {
    const raw = await sendRaw(port(), `GET ${LESSON} HTTP/1.1\r\nHost: evil.example:${port()}\r\nCookie: ${site.headers.Cookie}\r\nConnection: close\r\n\r\n`);
    expect(raw).toMatch(/^HTTP\/1\.1 421 /);
    expect(raw).not.toContain('<html');
  });

  test('the WebSocket needs the cookie and this server\u2019s Origin; no Origin at all is refused', async () => {
    expect(await handshake(site.headers)).toBe(101);
    expect(await handshake({ Origin: site.url })).toBe(403);
    expect(await handshake({ Cookie: site.headers.Cookie })).toBe(403);
    expect(await handshake({ ...site.headers, Origin: 'http://evil.example' })).toBe(403);
    expect(await handshake({ ...site.headers, Host: 'evil.example' })).toBe(403);
  });
});
