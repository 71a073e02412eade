import type { IncomingMessage } from 'node:http';
import { describe, expect, test } from 'vitest';
import { KEY_PROTOCOL_PREFIX, PROTOCOL } from '../../src/runtime/local/protocol.ts';
import { LaunchAccess, type PageCredentials } from '../../src/server/access.ts';

const access = () => {
  const made = new LaunchAccess();
  made.listeningOn(4321);
  return made;
};

/** A WebSocket upgrade as the page sends it, with these credentials. */
const upgrade = ({ headers, key }: PageCredentials) =>
  ({
    headers: { host: 'localhost:4321', origin: headers.Origin, cookie: headers.Cookie, 'sec-websocket-protocol': `${PROTOCOL}, ${KEY_PROTOCOL_PREFIX}${key}` },
  }) as unknown as IncomingMessage;

describe('the sign-in link', () => {
  test('sends the browser on to the same page of this server, without the token', () => {
    const server = access();
    const token = new URL(server.signInUrl).searchParams.get('token');
    const signIn = server.redeem(`http://localhost:4321/lessons/02/?runtime=local&token=${token}`);
    expect(signIn).toMatchObject({ ok: true, location: '/lessons/02/?runtime=local' });
  });

  test('never sends it to another site, whatever the path', () => {
    const server = access();
    const token = new URL(server.signInUrl).searchParams.get('token');
    expect(server.redeem(`http://localhost:4321//evil.example/?token=${token}`)).toMatchObject({ ok: true, location: '/evil.example/' });
  });

  test('works once; a new link works again', () => {
    const server = access();
    const first = server.signInUrl;
    expect(server.redeem(first).ok).toBe(true);
    expect(server.redeem(first).ok).toBe(false);
    expect(server.redeem(server.newSignInUrl()).ok).toBe(true);
  });

  test('each sign-in is its own session: a cookie and a key that no other sign-in shares', () => {
    const server = access();
    const [one, two] = [server.pageCredentials(), server.pageCredentials()];
    expect(one.key).not.toBe(two.key);
    expect(one.headers.Cookie).not.toBe(two.headers.Cookie);
    expect(server.refuseUpgrade(upgrade(one))).toBeNull();
    expect(server.refuseUpgrade(upgrade({ ...one, key: two.key }))).toMatch(/no key of this session/);
  });
});

describe('signing every browser out', () => {
  test('ends every session: their cookies open no page and their keys no runtime; the old link is dead, the new one works', () => {
    const server = access();
    const before = server.pageCredentials();
    const oldLink = server.signInUrl;
    expect(server.signOutEverywhere()).toBe(1);
    const page = { headers: { host: 'localhost:4321', cookie: before.headers.Cookie } } as unknown as IncomingMessage;
    expect(server.signedIn(page)).toBe(false);
    expect(server.refuseUpgrade(upgrade(before))).toMatch(/not signed in/);
    expect(server.redeem(oldLink).ok).toBe(false);
    expect(server.refuseUpgrade(upgrade(server.pageCredentials()))).toBeNull();
  });

  test('a new link alone signs no one out', () => {
    const server = access();
    const before = server.pageCredentials();
    server.newSignInUrl();
    expect(server.refuseUpgrade(upgrade(before))).toBeNull();
  });
});
