/**
 * Who may use the course server. Modelled on Jupyter's server (a one-time sign-in link printed at
 * start, a cookie afterwards, an Origin check on WebSockets) and VS Code's server (its connection
 * token, kept in the `vscode-tkn` cookie), and going beyond both where a cookie falls short on
 * loopback: cookies ignore ports, so every `http://localhost:<any port>` page the learner's
 * browser visits receives them, another user's dev server included. So a session has two secrets:
 *
 * - a cookie (HttpOnly, SameSite=Strict), which only lets that browser load the site's pages:
 *   static files, the same for everyone, no secret in them;
 * - a key, handed once to the page that opened the sign-in link and kept in its origin's
 *   localStorage, which no other port (origins include the port) and no server can read. The page
 *   sends it in the local runtime's WebSocket handshake as a subprotocol, as Kubernetes and
 *   Jupyter (since JEP 119) accept tokens from browsers. Everything that can spawn, read or write
 *   the sandbox goes through that WebSocket, which needs the key, the cookie of the same session,
 *   this server's Origin and Host.
 *
 * Signing in takes two steps, so that only a browser running the sign-in page's script uses up
 * the link: GET (or HEAD, a link preview) `/?token=…` answers a small page, whose script posts the
 * token to `/__sign-in` and keeps the key. Requests for any Host but localhost:PORT or
 * 127.0.0.1:PORT are refused, so a DNS-rebound name cannot reach the server. Pressing Enter where
 * `npm start` runs prints a new link; `signOutEverywhere` ends every session.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { KEY_PROTOCOL_PREFIX, KEY_STORAGE_ITEM } from '../runtime/local/protocol.ts';

const secret = () => randomBytes(24).toString('base64url');

/** Where the sign-in page posts the token. */
export const SIGN_IN_PATH = '/__sign-in';
/** Sessions kept at once; the oldest goes first (each needs a link from the terminal). */
const MAX_SESSIONS = 32;

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

/** The key a WebSocket handshake offers, from its subprotocols. */
function offeredKey(req: IncomingMessage): string | undefined {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',');
  return protocols
    .map((p) => p.trim())
    .find((p) => p.startsWith(KEY_PROTOCOL_PREFIX))
    ?.slice(KEY_PROTOCOL_PREFIX.length);
}

export type SignIn = { ok: true; cookie: string; key: string; location: string } | { ok: false; reason: string };

/** What a program holding a session sends to act as the signed-in page (tests, tools). */
export interface PageCredentials {
  headers: { Cookie: string; Origin: string };
  key: string;
}

export class LaunchAccess {
  #port = 0;
  #signInToken = secret();
  /** Live sessions: cookie secret → key. */
  readonly #sessions = new Map<string, string>();

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

  /** Ends every session (their pages are refused from now on) and makes a new link; how many ended. */
  signOutEverywhere(): number {
    const ended = this.#sessions.size;
    this.#sessions.clear();
    this.#signInToken = secret();
    return ended;
  }

  #ownHosts(): string[] {
    return [`localhost:${this.#port}`, `127.0.0.1:${this.#port}`];
  }

  /** Whether an Origin header is one of this server's own. */
  ownOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.#ownHosts().some((own) => origin === `http://${own}`);
  }

  /** Why this server must not answer the request at all (a foreign Host), or null. */
  refuseHost(req: IncomingMessage): string | null {
    const host = req.headers.host;
    return host !== undefined && this.#ownHosts().includes(host.toLowerCase()) ? null : `host ${JSON.stringify(host ?? '')} is not this server`;
  }

  /** The key of the session whose cookie the request carries, or undefined. */
  #sessionKey(req: IncomingMessage): string | undefined {
    const offered = cookieValue(req.headers.cookie, this.cookieName);
    if (offered === undefined) return undefined;
    for (const [cookie, key] of this.#sessions) if (same(offered, cookie)) return key;
    return undefined;
  }

  /** Whether the request carries a live session's cookie: enough for the site's pages, nothing more. */
  signedIn(req: IncomingMessage): boolean {
    return this.#sessionKey(req) !== undefined;
  }

  /**
   * Redeems the sign-in link the page found in its address bar (`href`): a new session, or why
   * not. Uses the link up. `location` is a path on this server, where the page goes next.
   */
  redeem(href: string): SignIn {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return { ok: false, reason: 'That is not a sign-in link.' };
    }
    const offered = url.searchParams.get('token');
    if (offered === null || !same(offered, this.#signInToken)) {
      return { ok: false, reason: 'This sign-in link is not valid (any more): each link works once.' };
    }
    this.#signInToken = secret();
    url.searchParams.delete('token');
    const cookie = secret();
    const key = secret();
    this.#sessions.set(cookie, key);
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    // Only ever a path on this server: `//host` would send the browser elsewhere.
    return { ok: true, cookie: this.#cookie(cookie), key, location: `/${url.pathname.replace(/^\/+/, '')}${url.search}` };
  }

  #cookie(value: string): string {
    // Persistent, so restarting the browser keeps the learner in for as long as this server runs.
    return `${this.cookieName}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${7 * 24 * 3600}`;
  }

  /**
   * Why a WebSocket upgrade is refused, or null: it needs this server's Host and Origin, a live
   * session's cookie, and that session's key among its subprotocols.
   */
  refuseUpgrade(req: IncomingMessage): string | null {
    const host = this.refuseHost(req);
    if (host) return host;
    const origin = req.headers.origin;
    if (origin === undefined) return 'no Origin header: only this server\u2019s pages may connect';
    if (!this.ownOrigin(origin)) return `origin ${origin} is not allowed`;
    const key = this.#sessionKey(req);
    if (key === undefined) return 'not signed in: open the link `npm start` printed';
    if (!same(offeredKey(req), key)) return 'no key of this session: open the link `npm start` printed again, in this browser';
    return null;
  }

  /** A new session, as opening a sign-in link makes one, for a program that acts as the page (tests, tools). */
  pageCredentials(): PageCredentials {
    const signIn = this.redeem(this.signInUrl);
    if (!signIn.ok) throw new Error(signIn.reason);
    const cookie = signIn.cookie.slice(0, signIn.cookie.indexOf(';'));
    return { headers: { Cookie: cookie, Origin: `http://localhost:${this.#port}` }, key: signIn.key };
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page a sign-in link answers: its script posts the link to SIGN_IN_PATH, keeps the key in
 * this origin's localStorage and goes on to the page the link named. Nothing secret is in it.
 */
export function signInPage(nonce: string): string {
  const script = `(async () => {
  const say = (text) => { document.getElementById('status').textContent = text; };
  const link = location.href;
  const url = new URL(link);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
  try {
    const answer = await fetch(${JSON.stringify(SIGN_IN_PATH)}, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ href: link }),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    const body = await answer.json();
    if (!answer.ok) return say(body.reason);
    localStorage.setItem(${JSON.stringify(KEY_STORAGE_ITEM)}, body.key);
    location.replace(body.location + url.hash);
  } catch (error) {
    say('Signing in failed: ' + error.message + '. Is npm start still running?');
  }
})();`;
  return `<!doctype html><meta charset="utf-8"><title>Checkout Trace Lab: signing in</title>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Signing in to the course\u2026</h1>
<p id="status" role="status">One moment.</p>
<noscript><p>The course needs JavaScript.</p></noscript>
<script nonce="${escapeHtml(nonce)}">${script}</script>`;
}

/** The sign-in page's headers: its own script only, never framed, its address never sent on. */
export function signInPageHeaders(nonce: string): Record<string, string> {
  return {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`,
  };
}
