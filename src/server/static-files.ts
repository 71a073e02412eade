import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IMMUTABLE_CACHE_CONTROL, IMMUTABLE_PATHS } from './host-headers.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Worth compressing: text and the like. The packages snapshot is gzipped already. */
const COMPRESSIBLE = /^(text\/|application\/(json|wasm)|image\/svg)/;
const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();
const gzipAsync = promisify(gzip);

async function gzipOnce(file: string, mtimeMs: number): Promise<Buffer> {
  const kept = gzipped.get(file);
  if (kept?.mtimeMs === mtimeMs) return kept.body;
  const body = await gzipAsync(await readFile(file));
  gzipped.set(file, { mtimeMs, body });
  return body;
}

const acceptsGzip = (req: IncomingMessage) => /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));

/** Maps a URL path to a file under root, or null when it would leave root. */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = normalize(root).replace(/[\\/]+$/, '');
  const file = normalize(join(base, decoded.endsWith('/') ? `${decoded}index.html` : decoded));
  return file === base || file.startsWith(base + sep) ? file : null;
}

export interface StaticOptions {
  root: string;
  headers: Record<string, string>;
  /** Lets the server add to every HTML page it serves (the local runtime's marker). */
  transformHtml?: (html: string) => string;
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, options: StaticOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...options.headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  let file = resolveStaticPath(options.root, req.url ?? '/');
  let status = 200;
  let info = file ? await stat(file).catch(() => null) : null;
  if (file && info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!file || !info?.isFile()) {
    status = 404;
    file = join(options.root, '404.html');
    info = await stat(file).catch(() => null);
    if (!info) {
      res.writeHead(404, { ...options.headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
  }
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  const headers = {
    ...options.headers,
    'Content-Type': type,
    'Cache-Control': IMMUTABLE_PATHS.some((prefix) => (req.url ?? '').startsWith(prefix)) ? IMMUTABLE_CACHE_CONTROL : 'no-cache',
  };
  const compress = COMPRESSIBLE.test(type) && acceptsGzip(req);
  const compressedHeaders = { ...headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' };
  if (type.startsWith('text/html') && options.transformHtml) {
    const html = Buffer.from(options.transformHtml(await readFile(file, 'utf8')));
    const body = compress ? await gzipAsync(html) : html;
    res.writeHead(status, { ...(compress ? compressedHeaders : headers), 'Content-Length': body.byteLength });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  if (compress) {
    const body = await gzipOnce(file, info.mtimeMs);
    res.writeHead(status, { ...compressedHeaders, 'Content-Length': body.byteLength });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  res.writeHead(status, { ...headers, 'Content-Length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // A file that vanishes mid-read, or a client that goes away, ends this response only.
  await pipeline(createReadStream(file), res).catch(() => res.destroy());
}
