/**
 * The course's own server, started by `npm start` after `astro build`: serves the built site with
 * cross-origin isolation headers, on loopback only.
 */
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { crossOriginIsolationHeaders } from './isolation-headers.ts';
import { serveStatic } from './static-files.ts';

const root = fileURLToPath(new URL('../../dist', import.meta.url));
const host = '127.0.0.1';
const port = Number(process.env.PORT ?? 4321);

if (!existsSync(root)) {
  console.error(`No built site at ${root}. Run \`npm start\` (it builds first) or \`npm run build\`.`);
  process.exit(1);
}

const server = createServer((req, res) => {
  serveStatic(req, res, { root, headers: crossOriginIsolationHeaders }).catch((error: unknown) => {
    console.error('[server] failed to serve', req.url, error);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Internal error');
  });
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
  console.log(`\n  Checkout Trace Lab is running at http://localhost:${actualPort}/\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
