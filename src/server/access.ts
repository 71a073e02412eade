/**
 * Who may use the course server, Jupyter's way: at start it prints a sign-in link carrying a
 * one-time token. Opening it sets an HttpOnly, SameSite=Strict cookie holding this launch's
 * secret and sends the browser on without the token. Every page and the local runtime's
 * WebSocket need that cookie; the WebSocket also needs this server's own Origin. Requests for any
 * Host but localhost:PORT or 127.0.0.1:PORT are refused, so a DNS-rebound name cannot reach it.
 * Other users of the machine and other programs never see the secret: it is in no page and no URL.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const secret = () => randomBytes(24).toString('base64url');

function same(offered: string | undefined, expected: string): boolean {
  if (offered === undefined) return false;
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export type SignIn = { ok: true; cookie: string; location: string } | { ok: false; reason: string };

export class LaunchAccess {
  #port = 0;
  #signInToken = secret();
  readonly #sessionSecret = secret();

  /** Call once the server listens: hosts, origins and the cookie's name all carry the port. */
  listeningOn(port: number): void {
    this.#port = port;
  }

  /** Named per port, so two course servers on one machine keep their own cookies. */
  get cookieName(): string {
    return `ctl-session-${this.#port}`;
  }

  /** The link `npm start` prints. Each link works once; `newSignInUrl` makes the next one. */
  get signInUrl(): string {
    return `http://localhost:${this.#port}/?token=${this.#signInToken}`;
  }

  newSignInUrl(): string {
    this.#signInToken = secret();
    return this.signInUrl;
  }

  #ownHosts(): string[] {
    return [`localhost:${this.#port}`, `127.0.0.1:${this.#port}`];
  }

  /** Why this server must not answer the request at all (a foreign Host), or null. */
  refuseHost(req: IncomingMessage): string | null {
    const host = req.headers.host;
    return host !== undefined && this.#ownHosts().includes(host.toLowerCase()) ? null : `host ${JSON.stringify(host ?? '')} is not this server`;
  }

  signedIn(req: IncomingMessage): boolean {
    return same(cookieValue(req.headers.cookie, this.cookieName), this.#sessionSecret);
  }

  /** A request carrying `?token=`: the sign-in link, used up by its first visit. */
  signIn(url: URL): SignIn {
    const offered = url.searchParams.get('token');
    if (offered === null) return { ok: false, reason: 'no token' };
    if (!same(offered, this.#signInToken)) return { ok: false, reason: 'This sign-in link is not valid (any more): each link works once.' };
    this.#signInToken = secret();
    url.searchParams.delete('token');
    // Only ever a path on this server: `//host` would send the browser elsewhere.
    return { ok: true, cookie: this.#cookie(), location: `/${url.pathname.replace(/^\/+/, '')}${url.search}` };
  }

  #cookie(): string {
    // Persistent, so restarting the browser keeps the learner in for as long as this server runs.
    return `${this.cookieName}=${this.#sessionSecret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${7 * 24 * 3600}`;
  }

  /** Why a WebSocket upgrade is refused, or null: it needs the cookie and this server's Origin. */
  refuseUpgrade(req: IncomingMessage): string | null {
    const host = this.refuseHost(req);
    if (host) return host;
    const origin = req.headers.origin;
    if (origin === undefined) return 'no Origin header: only this server\u2019s pages may connect';
    if (!this.#ownHosts().some((own) => origin === `http://${own}`)) return `origin ${origin} is not allowed`;
    if (!this.signedIn(req)) return 'not signed in: open the link `npm start` printed';
    return null;
  }

  /** Headers a program that holds this launch's secret sends to act as the signed-in page (tests). */
  pageHeaders(): Record<string, string> {
    return { Cookie: `${this.cookieName}=${this.#sessionSecret}`, Origin: `http://localhost:${this.#port}` };
  }
}
