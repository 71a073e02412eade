/**
 * The course's own server, started by `npm start` after `astro build`: serves the built site with
 * cross-origin isolation headers, and hosts the local sandbox runtime. Loopback only, on both
 * families, so the `localhost` it prints is this server whichever address the browser tries; only
 * the browser signed in with the link it prints may use it (access.ts), and on Linux no program of
 * another user may even connect (loopback-peers.cjs).
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { attachLocalRuntime } from '../runtime/local/bridge.ts';
import { dropUntrusted } from '../runtime/local/loopback-peers.cjs';
import { listenerOn } from '../runtime/local/sandbox-processes.ts';
import { LaunchAccess, SIGN_IN_PATH, signInPage, signInPageHeaders } from './access.ts';
import { siteHeaders } from './isolation-headers.ts';
import { serveStatic } from './static-files.ts';

/** The built site: dist/, or another build (CTL_SITE_DIR) such as the tests' build with monitoring on. */
const root = process.env.CTL_SITE_DIR ?? fileURLToPath(new URL('../../dist', import.meta.url));
/** PORT chosen by the learner is kept or refused; the default moves on to the next free port. */
const chosenPort = process.env.PORT !== undefined;
const firstPort = Number(process.env.PORT ?? 4321);
/** How many ports after the default are tried when it is taken. */
const PORTS_TO_TRY = 20;
/** The most a sign-in request may send: a link, as JSON. */
const MAX_SIGN_IN_BYTES = 8 * 1024;

if (!existsSync(root)) {
  console.error(`No built site at ${root}. Run \`npm start\` (it builds first) or \`npm run build\`.`);
  process.exit(1);
}

const access = new LaunchAccess();
/** Tells the page that this server can run its sandbox (the page connects with the key it keeps). */
const runtimeTag = '<meta name="ctl-local-runtime" content="">';

function notSignedIn(res: ServerResponse, status: number, why: string) {
  const page = `<!doctype html><meta charset="utf-8"><title>Checkout Trace Lab: sign in</title>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Open the link <code>npm start</code> printed</h1>
<p>${why}</p>
<p>This course server only answers the browser that opened its sign-in link: the line starting with
<code>http://localhost:</code> and ending in <code>?token=…</code> in the terminal where <code>npm start</code> runs.
Each link works once; press Enter in that terminal for a new one.</p>`;
  res.writeHead(status, { ...siteHeaders, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(page);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { ...siteHeaders, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** The request's body as text, or null once it passes `limit` bytes (the rest is not read). */
function readSmallBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** POST /__sign-in, from the sign-in page's script: `{ href }` → a session's cookie and `{ key, location }`. */
async function signIn(req: IncomingMessage, res: ServerResponse) {
  if (req.method !== 'POST') return json(res, 405, { reason: 'Sign in by opening the link `npm start` printed.' }, { Allow: 'POST' });
  // Only this server's own sign-in page: another site's page cannot even try links.
  if (!access.ownOrigin(req.headers.origin)) return json(res, 403, { reason: 'Only the course\u2019s own sign-in page may sign in.' });
  if (!/^application\/json\b/.test(String(req.headers['content-type'] ?? ''))) return json(res, 415, { reason: 'Expected JSON.' });
  const body = await readSmallBody(req, MAX_SIGN_IN_BYTES);
  if (body === null) return json(res, 413, { reason: 'Too large for a sign-in link.' }, { Connection: 'close' });
  let href: unknown;
  try {
    href = (JSON.parse(body) as { href?: unknown } | null)?.href;
  } catch {
    href = undefined;
  }
  if (typeof href !== 'string') return json(res, 400, { reason: 'Expected { "href": the sign-in link }.' });
  const result = access.redeem(href);
  if (!result.ok) return json(res, 403, { reason: result.reason });
  json(res, 200, { key: result.key, location: result.location }, { 'Set-Cookie': result.cookie });
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const foreignHost = access.refuseHost(req);
  if (foreignHost) {
    // A page whose name was made to point here (DNS rebinding) gets nothing.
    res.writeHead(421, { ...siteHeaders, 'Content-Type': 'text/plain; charset=utf-8' }).end(`Misdirected request: ${foreignHost}.\n`);
    return;
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  } catch {
    res.writeHead(400, { ...siteHeaders, 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad request: unreadable path.\n');
    return;
  }
  if (url.pathname === SIGN_IN_PATH) return signIn(req, res);
  if (url.searchParams.has('token')) {
    // The link itself uses up nothing: a link preview (HEAD, or GET without scripts) leaves it working.
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { ...siteHeaders, Allow: 'GET, HEAD' }).end();
    const nonce = randomBytes(16).toString('base64');
    const page = Buffer.from(signInPage(nonce));
    res.writeHead(200, { ...siteHeaders, ...signInPageHeaders(nonce), 'Content-Length': page.byteLength });
    res.end(req.method === 'HEAD' ? undefined : page);
    return;
  }
  if (!access.signedIn(req)) return notSignedIn(res, 401, 'This browser is not signed in to the course server.');
  await serveStatic(req, res, {
    root,
    headers: siteHeaders,
    transformHtml: (html) => html.replace('</head>', `${runtimeTag}</head>`),
  });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error: unknown) => {
    console.error('[server] failed to serve', req.url, error);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Internal error');
  });
});

// On Linux, a connection from a program of another user is dropped before a byte of it is read.
server.prependListener('connection', (socket: Socket) => dropUntrusted(socket));

const runtime = attachLocalRuntime(server, {
  refuseUpgrade: (req) => access.refuseUpgrade(req),
  sandboxesDir: process.env.CTL_SANDBOXES_DIR || undefined,
  cacheDir: process.env.CTL_CACHE_DIR || undefined,
  // Sandboxes boot from the packages snapshot the browser would mount.
  snapshotsDir: join(root, 'sandbox'),
  nodeOptions: process.env.CTL_SANDBOX_NODE_OPTIONS?.split(' ').filter(Boolean),
  // How long a sandbox outlives its page, for a reload to take it back (tests shorten it).
  reloadGraceMs: process.env.CTL_RELOAD_GRACE_MS ? Number(process.env.CTL_RELOAD_GRACE_MS) : undefined,
});

/** Who holds a port, for a message: "a program of user mallory (uid 1001)", "pid 42 (vite)". */
async function holderOf(port: number): Promise<string> {
  const listener = await listenerOn(port).catch(() => null);
  if (listener?.owner) return `a program of ${listener.owner}`;
  if (listener?.pid) return `pid ${listener.pid} (${listener.command})`;
  return 'another program';
}

function listen(target: Server | TcpServer, port: number, host: string): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException) => resolve(error);
    target.once('error', failed);
    target.listen(port, host, () => {
      target.off('error', failed);
      resolve(null);
    });
  });
}

/** IPv6 loopback connections, handed to the one HTTP server (and so to the runtime's upgrades). */
const ipv6 = createTcpServer((socket) => server.emit('connection', socket));

/**
 * Listens on 127.0.0.1 and [::1] on one port, or on neither: a port held on either family by
 * another program is not ours, since a browser may reach `localhost` on either. Null, or why not.
 */
async function listenOnLoopback(port: number): Promise<{ port: number } | { taken: string }> {
  const v4 = await listen(server, port, '127.0.0.1');
  if (v4) {
    if (v4.code !== 'EADDRINUSE') throw v4;
    return { taken: `port ${port} is in use on 127.0.0.1, by ${await holderOf(port)}` };
  }
  const actual = (server.address() as { port: number }).port;
  const v6 = await listen(ipv6, actual, '::1');
  if (!v6) return { port: actual };
  if (v6.code !== 'EADDRINUSE') {
    // No IPv6 loopback here (EADDRNOTAVAIL, EAFNOSUPPORT): nobody can listen there, so `localhost` is 127.0.0.1.
    if (!['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes(v6.code ?? '')) console.warn(`  Listening on 127.0.0.1 only: [::1] could not be used (${v6.message}).`);
    return { port: actual };
  }
  await new Promise((resolve) => server.close(resolve));
  return { taken: `port ${actual} is in use on [::1], by ${await holderOf(actual)}` };
}

async function start(): Promise<number> {
  const tries = chosenPort ? (firstPort === 0 ? 5 : 1) : PORTS_TO_TRY;
  for (let attempt = 0; attempt < tries; attempt++) {
    const port = firstPort === 0 ? 0 : firstPort + attempt;
    const listening = await listenOnLoopback(port);
    if ('port' in listening) return listening.port;
    if (chosenPort && firstPort !== 0) {
      console.error(`\n  ${listening.taken}. Stop it, or choose another port: PORT=${port + 1} npm start\n`);
      process.exit(1);
    }
    console.warn(`  The course server cannot use ${listening.taken}; trying the next port.`);
  }
  console.error(`\n  No free port from ${firstPort} to ${firstPort + tries - 1}. Choose one: PORT=4400 npm start\n`);
  process.exit(1);
}

const port = await start();
server.on('error', (error) => console.error('[server]', error));
ipv6.on('error', (error) => console.error('[server]', error));
access.listeningOn(port);
console.log(`\n  Checkout Trace Lab is running. Open this link in your browser (it signs you in):\n\n    ${access.signInUrl}\n`);
if (process.stdin.isTTY) {
  console.log('  Each link works once. Press Enter here for a new one; type "signout" and Enter to sign every browser out.\n');
}
// Lines typed where `npm start` runs (or written to its input): a new link, or signing everyone out.
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim().toLowerCase().replace(/\s+/g, '') === 'signout') {
    const ended = access.signOutEverywhere();
    runtime.closeAll('You signed every browser out of the course server.');
    console.log(`\n  Signed out ${ended} session(s). Open the new link to sign in again:\n\n    ${access.signInUrl}\n`);
  } else console.log(`\n    ${access.newSignInUrl()}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void runtime.close().finally(() => process.exit(0));
    server.closeAllConnections();
    server.close();
    ipv6.close();
  });
}
