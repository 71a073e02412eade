#!/usr/bin/env node
// A Sentry-compatible ingest for the course: it accepts what the real SDKs send and hands every
// envelope, whole, to the course (one framed line on stdout) and to checkpoint tests (a recording
// in .telemetry/envelopes.ndjson). DSN: http://public@localhost:8969/1
// Plain Node, no dependencies: it runs in the sandbox, on Node 20 and 22, in WebContainers too.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip, inflate, brotliDecompress } from 'node:zlib';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';

/** Marks the course's lines in mixed terminal output: record separator, then a tag. */
export const FRAME_PREFIX = '\u001e@@collector ';
/** The most an envelope may be, as sent and once decompressed (a small gzip can hold gigabytes). */
export const MAX_ENVELOPE_BYTES = 20 * 1024 * 1024;
/** The recording stops growing here (checks read it whole); what arrives still reaches the course. */
export const MAX_RECORDING_BYTES = Number(process.env.COLLECTOR_RECORDING_LIMIT ?? 128 * 1024 * 1024);
const decoders = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };

/**
 * CORS for the shop's own pages only, never `*`: an Origin is echoed when it is a loopback page
 * (the shop's Vite on :5173, the local runtime's preview proxy on its own port; any program on
 * this machine can reach the collector directly anyway) or a WebContainer preview (https, on
 * StackBlitz's preview hosts; such a page reaches this collector only from inside its container).
 * A page from anywhere else cannot read or delete the recording.
 */
export function allowedOrigin(origin) {
  if (typeof origin !== 'string') return null;
  let url;
  try {
    url = new URL(origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const loopback = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const webContainer = url.protocol === 'https:' && /\.(webcontainer-api\.io|webcontainer\.io)$/.test(url.hostname);
  return loopback || webContainer ? origin : null;
}

function corsHeaders(req) {
  const origin = allowedOrigin(req.headers.origin);
  return {
    Vary: 'Origin',
    ...(origin && {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'POST, GET, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': 'Content-Type, Content-Encoding, X-Sentry-Auth, sentry-trace, baggage',
      'Access-Control-Expose-Headers': 'X-Sentry-Rate-Limits, Retry-After',
    }),
  };
}

/** Terminal control characters (ESC, C1 and the like), which a request could use to paint over the learner's terminal. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
export const printable = (text) => String(text).replace(CONTROL, '\ufffd');

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

const tooLarge = () => new BadEnvelope(413, `envelope larger than ${MAX_ENVELOPE_BYTES} bytes (the limit applies once decompressed too)`);

/**
 * Reads a request body up to the limit. Past it, the rest is read and dropped (so the client,
 * still sending, gets the 413 instead of a reset connection), and the request fails with 413.
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    let chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_ENVELOPE_BYTES) return void chunks.push(chunk);
      if (chunks !== null) {
        chunks = null;
        reject(tooLarge());
      }
      // A client that keeps sending long after its 413 is cut off.
      if (size > 8 * MAX_ENVELOPE_BYTES) req.destroy();
    });
    req.on('end', () => chunks && resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function decode(req, raw) {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  const decoder = decoders[encoding];
  if (!decoder) throw new BadEnvelope(415, `unsupported Content-Encoding: ${encoding}`);
  try {
    // Stops as soon as the output passes the limit, so a bomb never inflates in memory.
    return await decoder(raw, { maxOutputLength: MAX_ENVELOPE_BYTES });
  } catch (error) {
    if (error?.code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new BadEnvelope(400, `body is not valid ${encoding}`);
  }
}

/**
 * Starts the collector. Without `onEnvelope`, each envelope is framed on stdout for the course;
 * without `onNotice`, so is each notice about the collector itself (its recording is full: a
 * message; recording again: null).
 * @param {{ port?: number, host?: string, recordDir?: string, project?: string, maxRecordingBytes?: number, onEnvelope?: (bytes: Buffer, receivedAt: number) => void, onNotice?: (notice: string | null) => void }} [options]
 */
export async function startCollector({ port = Number(process.env.COLLECTOR_PORT ?? 8969), host = '127.0.0.1', recordDir = '.telemetry', project = '1', maxRecordingBytes = MAX_RECORDING_BYTES, onEnvelope, onNotice } = {}) {
  const recording = join(recordDir, 'envelopes.ndjson');
  await mkdir(recordDir, { recursive: true });
  let received = 0;
  let recordingFull = false;

  /** Tells the course about the collector itself (its Telemetry panel shows it), and the terminal. */
  const notify = (notice) => {
    if (onNotice) onNotice(notice);
    else process.stdout.write(`${FRAME_PREFIX}${JSON.stringify({ notice })}\n`);
    if (notice) console.error(notice);
  };

  /** Appends to the recording unless it is full; the learner removing the file starts a new one. */
  const record = async (line) => {
    const size = (await stat(recording).catch(() => null))?.size ?? 0;
    const full = size + Buffer.byteLength(line) > maxRecordingBytes;
    if (full !== recordingFull) {
      recordingFull = full;
      notify(
        full
          ? `The collector's recording is full (${Math.round(maxRecordingBytes / 2 ** 20)} MB in ${recording}): new telemetry still shows here, but Check no longer sees it. To record again, remove the file: in the Shell, rm ${recording}`
          : null,
      );
    }
    if (!full) await appendFile(recording, line);
  };

  const accept = async (bytes, source) => {
    const { header, types } = checkEnvelope(bytes);
    const entry = { received: Date.now(), envelope: bytes.toString('base64') };
    received++;
    await record(`${JSON.stringify(entry)}\n`);
    if (onEnvelope) onEnvelope(bytes, entry.received);
    else {
      process.stdout.write(`${FRAME_PREFIX}${JSON.stringify(entry)}\n`);
      process.stdout.write(`${printable(`envelope #${received} from ${header.sdk?.name ?? source}: ${types.join(', ') || 'no items'}`)}\n`);
    }
    return header.event_id ?? null;
  };

  const handle = async (req, res) => {
    const cors = corsHeaders(req);
    const send = (status, body) => {
      res.writeHead(status, { ...cors, 'Content-Type': 'application/json', ...(status === 413 && { Connection: 'close' }) });
      res.end(JSON.stringify(body));
    };
    let url;
    try {
      url = new URL(req.url ?? '/', 'http://collector');
    } catch {
      return send(400, { detail: 'unreadable request path' });
    }
    try {
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      if (req.method === 'GET' && url.pathname === '/health') return send(200, { ok: true, received, recordingFull });
      if (url.pathname === '/recorded') {
        if (req.method === 'DELETE') {
          await rm(recording, { force: true });
          return send(200, { cleared: true });
        }
        // Streamed as stored, one JSON entry per line, so no size of recording is too big to answer.
        const recorded = await stat(recording).catch(() => null);
        res.writeHead(200, { ...cors, 'Content-Type': 'application/json' });
        res.write('[');
        let separator = '';
        let pending = '';
        const emit = (line) => {
          if (!line) return;
          res.write(separator + line);
          separator = ',';
        };
        if (recorded) {
          for await (const chunk of createReadStream(recording, { encoding: 'utf8' })) {
            const lines = (pending + chunk).split('\n');
            pending = lines.pop();
            lines.forEach(emit);
          }
        }
        emit(pending);
        return void res.end(']');
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
        const dsnProject = typeof header.dsn === 'string' && URL.canParse(header.dsn) ? new URL(header.dsn).pathname.replace(/^\//, '') : null;
        if (dsnProject !== project) throw new BadEnvelope(400, `tunnelled envelope's dsn does not target project ${project}`);
        return send(200, { id: await accept(bytes, 'the tunnel') });
      }
      send(404, { detail: `no route for ${req.method} ${url.pathname}` });
    } catch (error) {
      const status = error instanceof BadEnvelope ? error.status : 500;
      console.error(printable(`rejected ${req.method} ${url.pathname}: ${error.message}`));
      if (res.headersSent) return void res.destroy();
      send(status, { detail: error.message });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      // Nothing a request does may stop the collector.
      console.error(printable(`could not answer ${req.method} ${req.url}: ${error?.message ?? error}`));
      res.destroy();
    });
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
  // Run by scripts/dev.mjs: end with it. A restart's previous collector may still hold the port for a moment.
  await import('../scripts/lib/exit-with-parent.mjs');
  let started;
  for (let waited = 0; !started; waited += 250) {
    started = await startCollector().catch((error) => {
      if (error?.code !== 'EADDRINUSE' || waited >= 10_000) throw error;
      return new Promise((resolve) => setTimeout(resolve, 250));
    });
  }
  console.log(`Collector listening on http://127.0.0.1:${started.port} (DSN http://public@localhost:${started.port}/1)`);
}
