/**
 * The course's own server, started by `npm start` after `astro build`: serves the built site with
 * cross-origin isolation headers, and hosts the local sandbox runtime. Loopback only.
 */
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { attachLocalRuntime, createLaunchToken } from '../runtime/local/bridge.ts';
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

// A fresh token each launch, given only to pages this server serves: another site's page cannot
// read them, so it cannot drive the runtime.
const token = createLaunchToken();
const tokenTag = `<meta name="ctl-local-runtime" content="${token}">`;
const allowedOrigins: string[] = [];

const server = createServer((req, res) => {
  serveStatic(req, res, {
    root,
    headers: crossOriginIsolationHeaders,
    transformHtml: (html) => html.replace('</head>', `${tokenTag}</head>`),
  }).catch((error: unknown) => {
    console.error('[server] failed to serve', req.url, error);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Internal error');
  });
});

const runtime = attachLocalRuntime(server, {
  token,
  allowedOrigins,
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
  const actualPort = typeof address === 'object' && address ? address.port : port;
  allowedOrigins.push(`http://localhost:${actualPort}`, `http://127.0.0.1:${actualPort}`);
  console.log(`\n  Checkout Trace Lab is running at http://localhost:${actualPort}/\n`);
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    void runtime.close().finally(() => process.exit(0));
    server.closeAllConnections();
    server.close();
  });
}
