#!/usr/bin/env node
// A Sentry-compatible ingest for the course: it accepts what the real SDKs send and hands every
// envelope, whole, to the course (one framed line on stdout) and to checkpoint tests (a recording
// in .telemetry/envelopes.ndjson). DSN: http://public@localhost:8969/1
import { createServer } from 'node:http';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip, inflate, brotliDecompress } from 'node:zlib';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';

/** Marks the course's lines in mixed terminal output: record separator, then a tag. */
export const FRAME_PREFIX = '\u001e@@collector ';
const MAX_BODY = 20 * 1024 * 1024;
const decoders = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };

const cors = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, GET, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Content-Encoding, X-Sentry-Auth, sentry-trace, baggage',
  'Access-Control-Expose-Headers': 'X-Sentry-Rate-Limits, Retry-After',
};

class BadEnvelope extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Checks an envelope's framing (header, each item header and length) without judging payloads. */
export function checkEnvelope(bytes) {
  let offset = 0;
  const nextLine = () => {
    const end = bytes.indexOf(0x0a, offset);
    const line = bytes.subarray(offset, end === -1 ? bytes.length : end);
    offset = end === -1 ? bytes.length : end + 1;
    return line.toString('utf8');
  };
  if (bytes.length === 0) throw new BadEnvelope(400, 'empty body: expected an envelope');
  let header;
  try {
    header = JSON.parse(nextLine());
  } catch {
    throw new BadEnvelope(400, 'envelope header is not JSON');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new BadEnvelope(400, 'envelope header is not a JSON object');
  const types = [];
  while (offset < bytes.length) {
    const line = nextLine();
    if (line.trim() === '') continue;
    let item;
    try {
      item = JSON.parse(line);
    } catch {
      throw new BadEnvelope(400, `item ${types.length + 1}: header is not JSON`);
    }
    if (typeof item?.type !== 'string') throw new BadEnvelope(400, `item ${types.length + 1}: header has no type`);
    if (typeof item.length === 'number') {
      if (offset + item.length > bytes.length) throw new BadEnvelope(400, `item ${types.length + 1} (${item.type}): length ${item.length} runs past the end of the body`);
      offset += item.length;
      if (bytes[offset] === 0x0a) offset++;
    } else nextLine();
    types.push(item.type);
  }
  return { header, types };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new BadEnvelope(413, `envelope larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function decode(req, raw) {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  const decoder = decoders[encoding];
  if (!decoder) throw new BadEnvelope(415, `unsupported Content-Encoding: ${encoding}`);
  try {
    return await decoder(raw);
  } catch {
    throw new BadEnvelope(400, `body is not valid ${encoding}`);
  }
}

/**
 * Starts the collector. Without `onEnvelope`, each envelope is framed on stdout for the course.
 * @param {{ port?: number, host?: string, recordDir?: string, project?: string, onEnvelope?: (bytes: Buffer, receivedAt: number) => void }} [options]
 */
export async function startCollector({ port = Number(process.env.COLLECTOR_PORT ?? 8969), host = '127.0.0.1', recordDir = '.telemetry', project = '1', onEnvelope } = {}) {
  const recording = join(recordDir, 'envelopes.ndjson');
  await mkdir(recordDir, { recursive: true });
  let received = 0;

  const accept = async (bytes, source) => {
    const { header, types } = checkEnvelope(bytes);
    const entry = { received: Date.now(), envelope: bytes.toString('base64') };
    received++;
    await appendFile(recording, `${JSON.stringify(entry)}\n`);
    if (onEnvelope) onEnvelope(bytes, entry.received);
    else {
      process.stdout.write(`${FRAME_PREFIX}${JSON.stringify(entry)}\n`);
      process.stdout.write(`envelope #${received} from ${header.sdk?.name ?? source}: ${types.join(', ') || 'no items'}\n`);
    }
    return header.event_id ?? null;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://collector');
    const send = (status, body) => {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      if (req.method === 'GET' && url.pathname === '/health') return send(200, { ok: true, received });
      if (url.pathname === '/recorded') {
        if (req.method === 'DELETE') {
          await rm(recording, { force: true });
          return send(200, { cleared: true });
        }
        const text = await readFile(recording, 'utf8').catch(() => '');
        return send(200, text.split('\n').filter(Boolean).map((line) => JSON.parse(line)));
      }
      const envelopeRoute = /^\/api\/([^/]+)\/envelope\/?$/.exec(url.pathname);
      if (req.method === 'POST' && envelopeRoute) {
        if (envelopeRoute[1] !== project) throw new BadEnvelope(404, `unknown project ${envelopeRoute[1]}; this collector serves project ${project}`);
        const bytes = await decode(req, await readBody(req));
        return send(200, { id: await accept(bytes, 'an SDK') });
      }
      if (req.method === 'POST' && url.pathname === '/tunnel') {
        const bytes = await decode(req, await readBody(req));
        const { header } = checkEnvelope(bytes);
        const dsnProject = typeof header.dsn === 'string' ? new URL(header.dsn).pathname.replace(/^\//, '') : null;
        if (dsnProject !== project) throw new BadEnvelope(400, `tunnelled envelope's dsn does not target project ${project}`);
        return send(200, { id: await accept(bytes, 'the tunnel') });
      }
      send(404, { detail: `no route for ${req.method} ${url.pathname}` });
    } catch (error) {
      const status = error instanceof BadEnvelope ? error.status : 500;
      console.error(`rejected ${req.method} ${url.pathname}: ${error.message}`);
      send(status, { detail: error.message });
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    port: actualPort,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { port } = await startCollector();
  console.log(`Collector listening on http://127.0.0.1:${port} (DSN http://public@localhost:${port}/1)`);
}
