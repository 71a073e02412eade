/**
 * The course's own server, started by `npm start` after `astro build`: serves the built site with
 * cross-origin isolation headers, and hosts the local sandbox runtime. Loopback only; only the
 * browser signed in with the link it prints may use it (access.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachLocalRuntime } from '../runtime/local/bridge.ts';
import { LaunchAccess } from './access.ts';
import { crossOriginIsolationHeaders } from './isolation-headers.ts';
import { serveStatic } from './static-files.ts';

/** The built site: dist/, or another build (CTL_SITE_DIR) such as the tests' build with monitoring on. */
const root = process.env.CTL_SITE_DIR ?? fileURLToPath(new URL('../../dist', import.meta.url));
const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 4321);

if (!existsSync(root)) {
  console.error(`No built site at ${root}. Run \`npm start\` (it builds first) or \`npm run build\`.`);
  process.exit(1);
}

const access = new LaunchAccess();
/** Tells the page that this server can run its sandbox (the page connects with its cookie). */
const runtimeTag = '<meta name="ctl-local-runtime" content="">';

function notSignedIn(res: ServerResponse, status: number, why: string) {
  const page = `<!doctype html><meta charset="utf-8"><title>Checkout Trace Lab: sign in</title>
<body style="font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Open the link <code>npm start</code> printed</h1>
<p>${why}</p>
<p>This course server only answers the browser that opened its sign-in link: the line starting with
<code>http://localhost:</code> and ending in <code>?token=…</code> in the terminal where <code>npm start</code> runs.
Each link works once; press Enter in that terminal for a new one.</p>`;
  res.writeHead(status, { ...crossOriginIsolationHeaders, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(page);
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const foreignHost = access.refuseHost(req);
  if (foreignHost) {
    // A page whose name was made to point here (DNS rebinding) gets nothing.
    res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Misdirected request: ${foreignHost}.\n`);
    return;
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  } catch {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Bad request: unreadable path.\n');
    return;
  }
  if (url.searchParams.has('token')) {
    const signIn = access.signIn(url);
    if (!signIn.ok) return notSignedIn(res, 403, signIn.reason);
    res.writeHead(303, { 'Set-Cookie': signIn.cookie, Location: signIn.location, 'Cache-Control': 'no-store' }).end();
    return;
  }
  if (!access.signedIn(req)) return notSignedIn(res, 401, 'This browser is not signed in to the course server.');
  await serveStatic(req, res, {
    root,
    headers: crossOriginIsolationHeaders,
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

const runtime = attachLocalRuntime(server, {
  refuseUpgrade: (req) => access.refuseUpgrade(req),
  sandboxesDir: process.env.CTL_SANDBOXES_DIR,
  cacheDir: process.env.CTL_CACHE_DIR,
  // Sandboxes boot from the packages snapshot the browser would mount.
  snapshotsDir: join(root, 'sandbox'),
  nodeOptions: process.env.CTL_SANDBOX_NODE_OPTIONS?.split(' ').filter(Boolean),
});

server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') {
    console.error(`Port ${port} is in use. Stop the other server or choose a port: PORT=4400 npm start`);
  } else {
    console.error('[server]', error);
  }
  process.exit(1);
});

server.listen(port, host, () => {
  const address = server.address();
  access.listeningOn(typeof address === 'object' && address ? address.port : port);
  console.log(`\n  Checkout Trace Lab is running. Open this link in your browser (it signs you in):\n\n    ${access.signInUrl}\n`);
  if (process.stdin.isTTY) {
    console.log('  Each link works once. Press Enter here for a new one.\n');
    process.stdin.on('data', () => console.log(`\n    ${access.newSignInUrl()}\n`));
  }
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void runtime.close().finally(() => process.exit(0));
    server.closeAllConnections();
    server.close();
  });
}
