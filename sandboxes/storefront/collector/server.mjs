#!/usr/bin/env node
// A Sentry-compatible ingest for the course: it accepts what the real SDKs send and hands every
// envelope, whole, to the course (one framed line on stdout) and to checkpoint tests (a recording
// in .telemetry/envelopes.ndjson, the part before it in envelopes.1.ndjson). DSN: http://public@localhost:8969/1
// Plain Node, no dependencies: it runs in the sandbox, on Node 20 and 22, in WebContainers too.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip, inflate, brotliDecompress } from 'node:zlib';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { createForwarder } from './forward.mjs';

/** Marks the course's lines in mixed terminal output: record separator, then a tag. */
export const FRAME_PREFIX = '\u001e@@collector ';
/** Run by the course (which reads the frames out of the output): frames; in a terminal of your own, one line per envelope. */
const FRAMES = process.env.SHOP_STATUS_FRAMES === '1';
/** The most an envelope may be, as sent and once decompressed (a small gzip can hold gigabytes). */
export const MAX_ENVELOPE_BYTES = 20 * 1024 * 1024;
/**
 * The most the recording holds, its two parts together: past half of it, the recording so far
 * becomes envelopes.1.ndjson (replacing the part before) and a new one starts.
 */
export const MAX_RECORDING_BYTES = Number(process.env.COLLECTOR_RECORDING_LIMIT ?? 128 * 1024 * 1024);
/**
 * Envelopes read and decoded at once. Each holds at most MAX_ENVELOPE_BYTES as sent and as much
 * again decoded, so this caps the bytes in flight (about 80 MB); the next ones wait their turn,
 * unread, in a queue of MAX_WAITING, for at most WAIT_MS, and are told to retry (503) past that.
 */
export const ENVELOPES_IN_FLIGHT = 2;
const MAX_WAITING = 64;
const WAIT_MS = 30_000;
/** A body that takes longer than this to arrive holds its turn no longer (a client sending a byte a second). */
const BODY_MS = 30_000;
/** Readers of /recorded at once, and how long one may leave what it was sent unread before it is cut off. */
const MAX_READERS = 4;
const STALL_MS = 30_000;
const decoders = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };

/**
 * CORS for the shop's own pages only, never `*`, and only to send envelopes: an Origin is echoed
 * when it is a loopback page (the shop's Vite on :5173, the local runtime's preview proxy on its
 * own port) or a WebContainer preview (https, on StackBlitz's preview hosts; such a page reaches
 * this collector only from inside its container). No page may read or delete the recording: the
 * course's checks read the file, and curl is no browser.
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

/**
 * The names this collector answers to: loopback ones with its port (the SDK's DSN says
 * localhost:8969; Vite's proxy sends 127.0.0.1:8969), or a WebContainer's preview host. Any other
 * is a name made to point here (DNS rebinding): refused before anything is read.
 */
export function allowedHost(host, port) {
  if (typeof host !== 'string') return false;
  const name = host.toLowerCase();
  if (['127.0.0.1', 'localhost', '[::1]'].some((loopback) => name === `${loopback}:${port}`)) return true;
  return /^[a-z0-9.-]+\.(webcontainer-api\.io|webcontainer\.io)(:\d+)?$/.test(name);
}

/** A browser's request from another page than the collector's own (Fetch Metadata), which may not read or clear the recording. */
const fromAnotherPage = (req) => !['same-origin', 'none', undefined].includes(req.headers['sec-fetch-site']);

/** Waits for the response to take more, or fails once its reader has left it unread for STALL_MS. */
function drained(res) {
  return new Promise((resolve, reject) => {
    const stalled = setTimeout(() => done(new Error('reader stalled')), STALL_MS);
    const done = (error) => {
      clearTimeout(stalled);
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error('reader left'));
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/** Turns for envelopes: at most `slots` at once, the rest queued up to MAX_WAITING for WAIT_MS. */
function turns(slots) {
  let free = slots;
  const waiting = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next.resolve(release);
    else free++;
  };
  return () =>
    new Promise((resolve, reject) => {
      if (free > 0) {
        free--;
        return resolve(release);
      }
      if (waiting.length >= MAX_WAITING) return reject(new BadEnvelope(503, 'too many envelopes at once; retry in a moment'));
      const entry = { resolve };
      waiting.push(entry);
      setTimeout(() => {
        const at = waiting.indexOf(entry);
        if (at === -1) return;
        waiting.splice(at, 1);
        reject(new BadEnvelope(503, 'too many envelopes at once; retry in a moment'));
      }, WAIT_MS).unref();
    });
}

function corsHeaders(req) {
  const origin = allowedOrigin(req.headers.origin);
  return {
    Vary: 'Origin',
    ...(origin && {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'POST, OPTIONS',
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
    const late = setTimeout(() => {
      chunks = null;
      reject(new BadEnvelope(408, `the body took longer than ${BODY_MS / 1000} s to arrive`));
      req.destroy();
    }, BODY_MS);
    req.on('close', () => clearTimeout(late));
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
    req.on('end', () => {
      clearTimeout(late);
      if (chunks) resolve(Buffer.concat(chunks));
    });
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

/** Listens on `port` at `host`; resolves with the error when it cannot. */
function listen(server, port, host) {
  return new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(port, host, () => {
      server.off('error', resolve);
      resolve(null);
    });
  });
}

/** Why an address is taken, naming who holds it where the course can tell (its local runtime's guard). */
function takenBy(port) {
  const guard = globalThis[Symbol.for('checkout-trace-lab.sandbox-guard')];
  const holder = guard?.foreignListener(port);
  return holder ? `${holder.message}. ` : '';
}

/**
 * Starts the collector. Without `onEnvelope`, each envelope is framed on stdout for the course;
 * without `onNotice`, so is each notice about the collector itself (it cannot record, e.g. the
 * disk is full: a message; recording again: null). It listens on 127.0.0.1 and [::1] alike: the SDK's DSN says
 * `localhost`, which Node may reach on either, so another program on the other one would get the
 * learner's telemetry; a taken [::1] stops it with a message instead.
 * `pagesPostDirectly` is for standing in for Sentry's own ingest (which takes a page's envelopes
 * straight from the browser): the shop's collector refuses them, as a browser sandbox could not send them.
 * Every envelope also goes to `forwarder` (forward.mjs): on to the learner's own Sentry, once they give its DSN.
 * @param {{ port?: number, recordDir?: string, project?: string, maxRecordingBytes?: number, pagesPostDirectly?: boolean, onEnvelope?: (bytes: Buffer, receivedAt: number) => void, onNotice?: (notice: string | null) => void, forwarder?: ReturnType<typeof createForwarder> }} [options]
 */
export async function startCollector({
  port = Number(process.env.COLLECTOR_PORT ?? 8969),
  recordDir = '.telemetry',
  project = '1',
  maxRecordingBytes = MAX_RECORDING_BYTES,
  pagesPostDirectly = false,
  onEnvelope,
  onNotice,
  forwarder,
} = {}) {
  const recording = join(recordDir, 'envelopes.ndjson');
  const before = join(recordDir, 'envelopes.1.ndjson');
  await mkdir(recordDir, { recursive: true });
  let received = 0;
  /** Why the last envelope could not be recorded, or null. */
  let recordingProblem = null;
  let readers = 0;
  let actualPort = port;
  const turn = turns(ENVELOPES_IN_FLIGHT);
  const forwarding = forwarder ?? createForwarder({ ownPort: () => actualPort });
  /** Envelopes are recorded and framed one at a time, in the order they were accepted. */
  let accepting = Promise.resolve();

  /** Tells the course about the collector itself (its Telemetry panel shows it), and the terminal. */
  const notify = (notice) => {
    if (onNotice) onNotice(notice);
    else if (FRAMES) process.stdout.write(`${FRAME_PREFIX}${JSON.stringify({ notice })}\n`);
    if (notice) console.error(notice);
  };

  /**
   * An envelope's line, `{"received":…,"envelope":"<base64>"}`, written in pieces to `write`: a
   * 20 MB envelope never becomes one 27 MB string (or four of them, with the frame and the file).
   */
  const writeLine = async (bytes, receivedAt, write) => {
    await write(`{"received":${receivedAt},"envelope":"`);
    const piece = 3 * 256 * 1024;
    for (let at = 0; at < bytes.length; at += piece) await write(bytes.subarray(at, at + piece).toString('base64'));
    await write('"}\n');
  };
  const lineBytes = (bytes, receivedAt) => `{"received":${receivedAt},"envelope":""}\n`.length + 4 * Math.ceil(bytes.length / 3);

  /**
   * Appends to the recording. Past half the cap, the recording so far becomes the part before
   * (the older part is dropped): the two hold at most the cap, and a Check always sees what is new.
   * (A recording that stopped at its cap left a long session's Checks blind.)
   */
  const record = async (bytes, receivedAt) => {
    let problem = null;
    try {
      const size = (await stat(recording).catch(() => null))?.size ?? 0;
      if (size > 0 && size + lineBytes(bytes, receivedAt) > maxRecordingBytes / 2) await rename(recording, before);
      const file = await open(recording, 'a');
      try {
        await writeLine(bytes, receivedAt, (text) => file.write(text));
      } finally {
        await file.close();
      }
    } catch (error) {
      problem = `The collector could not record telemetry in ${recording} (${error.code ?? error.message}): it still shows here, but Check does not see it. Free some disk space, then press Check again.`;
    }
    if (problem !== recordingProblem) {
      recordingProblem = problem;
      notify(problem);
    }
  };

  /** Writes to stdout, waiting when it is a stream that buffers (in a WebContainer) and is full. */
  const out = (text) => (process.stdout.write(text) ? undefined : new Promise((resolve) => process.stdout.once('drain', resolve)));

  const accept = (bytes, source, encoding) => {
    const { header, types } = checkEnvelope(bytes);
    const done = accepting.then(async () => {
      const receivedAt = Date.now();
      received++;
      await record(bytes, receivedAt);
      await forwarding.forward(bytes, { gzip: encoding === 'gzip' });
      if (onEnvelope) onEnvelope(bytes, receivedAt);
      else {
        if (FRAMES) {
          await out(FRAME_PREFIX);
          await writeLine(bytes, receivedAt, out);
        }
        await out(`${printable(`envelope #${received} from ${header.sdk?.name ?? source}: ${types.join(', ') || 'no items'}`)}\n`);
      }
      return header.event_id ?? null;
    });
    accepting = done.catch(() => undefined);
    return done;
  };

  /** Reads, decodes and accepts one envelope in its turn (see ENVELOPES_IN_FLIGHT). */
  const take = async (req, check) => {
    const release = await turn();
    try {
      const bytes = await decode(req, await readBody(req));
      check?.(bytes);
      return await accept(bytes, check ? 'the tunnel' : 'an SDK', String(req.headers['content-encoding'] ?? '').toLowerCase());
    } finally {
      release();
    }
  };

  /** The recording (the part before, then the rest), streamed as stored, one JSON entry per line, at the pace its reader takes it. */
  const answerRecording = async (res, send) => {
    if (readers >= MAX_READERS) return send(503, { detail: 'too many readers of the recording at once; retry in a moment' });
    readers++;
    try {
      const write = async (text) => {
        if (!res.write(text)) await drained(res);
      };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      await write('[');
      let separator = '';
      for (const part of [before, recording]) {
        if (!(await stat(part).catch(() => null))) continue;
        let pending = '';
        for await (const chunk of createReadStream(part, { encoding: 'utf8' })) {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop();
          for (const line of lines.filter(Boolean)) {
            await write(separator + line);
            separator = ',';
          }
        }
        if (pending) {
          await write(separator + pending);
          separator = ',';
        }
      }
      res.end(']');
    } catch {
      res.destroy(); // its reader left, or stopped reading
    } finally {
      readers--;
    }
  };

  const handle = async (req, res) => {
    const cors = corsHeaders(req);
    const send = (status, body) => {
      res.writeHead(status, { ...(status === 413 || status === 408 ? { Connection: 'close' } : {}), ...(status === 503 ? { 'Retry-After': '1' } : {}), ...cors, 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!allowedHost(req.headers.host, actualPort)) {
      res.writeHead(421, { 'Content-Type': 'application/json', Connection: 'close' });
      return void res.end(JSON.stringify({ detail: 'this collector answers only to localhost' }));
    }
    let url;
    try {
      url = new URL(req.url ?? '/', 'http://collector');
    } catch {
      return send(400, { detail: 'unreadable request path' });
    }
    try {
      const envelopeRoute = /^\/api\/([^/]+)\/envelope\/?$/.exec(url.pathname);
      if (req.method === 'OPTIONS') return void res.writeHead(204, envelopeRoute || url.pathname === '/tunnel' ? cors : { Vary: 'Origin' }).end();
      if (req.method === 'GET' && url.pathname === '/health') return send(200, { ok: true, received, recordingProblem, forwarding: forwarding.status() });
      if (url.pathname === '/recorded') {
        if (fromAnotherPage(req)) return send(403, { detail: 'the recording is for the course and its checks, not for web pages' });
        if (req.method === 'DELETE') {
          await Promise.all([rm(before, { force: true }), rm(recording, { force: true })]);
          return send(200, { cleared: true });
        }
        if (req.method !== 'GET') return send(405, { detail: 'GET or DELETE' });
        return void (await answerRecording(res, send));
      }
      if (req.method === 'POST' && envelopeRoute) {
        if (envelopeRoute[1] !== project) throw new BadEnvelope(404, `unknown project ${envelopeRoute[1]}; this collector serves project ${project}`);
        // A page in a browser sandbox (a WebContainer's preview) cannot reach this port at all:
        // its SDK must send through the shop's own origin. Refused here too, so no page's
        // telemetry arrives here that would not arrive there.
        if (req.headers.origin !== undefined && !pagesPostDirectly) {
          throw new BadEnvelope(403, "a page's SDK sends through the shop's own origin: set tunnel: '/tunnel' in Sentry.init (a browser sandbox cannot reach this port)");
        }
        return send(200, { id: await take(req) });
      }
      if (req.method === 'POST' && url.pathname === '/tunnel') {
        const id = await take(req, (bytes) => {
          const { header } = checkEnvelope(bytes);
          const dsnProject = typeof header.dsn === 'string' && URL.canParse(header.dsn) ? new URL(header.dsn).pathname.replace(/^\//, '') : null;
          if (dsnProject !== project) throw new BadEnvelope(400, `tunnelled envelope's dsn does not target project ${project}`);
        });
        return send(200, { id });
      }
      send(404, { detail: `no route for ${req.method} ${url.pathname}` });
    } catch (error) {
      const status = error instanceof BadEnvelope ? error.status : 500;
      console.error(printable(`rejected ${req.method} ${url.pathname}: ${error.message}`));
      if (res.headersSent) return void res.destroy();
      send(status, { detail: error.message });
    }
  };

  const serve = (req, res) => {
    handle(req, res).catch((error) => {
      // Nothing a request does may stop the collector.
      console.error(printable(`could not answer ${req.method} ${req.url}: ${error?.message ?? error}`));
      res.destroy();
    });
  };
  const servers = [];
  // Port 0 (tests): the port 127.0.0.1 got may be taken on [::1]; then both try another.
  for (let attempt = 0; ; attempt++) {
    const v4 = createServer(serve);
    const failed = await listen(v4, port, '127.0.0.1');
    if (failed) {
      if (failed.code === 'EADDRINUSE') failed.message = `127.0.0.1:${port} is taken: ${takenBy(port)}Stop that program, then restart the shop.`;
      throw failed;
    }
    actualPort = v4.address().port;
    const v6 = createServer(serve);
    const v6Failed = await listen(v6, actualPort, '::1');
    // Only a taken [::1] stops it: any other failure there means no IPv6 loopback to listen on
    // (a container without IPv6, a WebContainer), where no one else can listen either.
    if (v6Failed?.code !== 'EADDRINUSE') {
      servers.push(v4, ...(v6Failed ? [] : [v6]));
      break;
    }
    await new Promise((resolve) => v4.close(resolve));
    if (port !== 0 || attempt >= 5) {
      v6Failed.message = `[::1]:${actualPort} is taken: ${takenBy(actualPort)}The backend's SDK sends to localhost:${actualPort}, which may reach it instead of this collector, so the collector does not start. Stop that program, then restart the shop.`;
      throw v6Failed;
    }
  }
  // The learner's DSN, or its removal, shows in the status within a second, envelope or not.
  const settings = setInterval(() => void forwarding.refresh().catch(() => undefined), 1000);
  settings.unref();
  return {
    port: actualPort,
    close: () => {
      clearInterval(settings);
      return Promise.all(
        servers.map(
          (server) =>
            new Promise((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      ).then(() => undefined);
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Run by scripts/dev.mjs: end with it. A restart's previous collector may still hold the port for a moment.
  await import('../scripts/lib/exit-with-parent.mjs');
  try {
    let started;
    for (let waited = 0; !started; waited += 250) {
      started = await startCollector().catch((error) => {
        if (error?.code !== 'EADDRINUSE' || waited >= 10_000) throw error;
        return new Promise((resolve) => setTimeout(resolve, 250));
      });
    }
    console.log(`Collector listening on http://127.0.0.1:${started.port} (DSN http://public@localhost:${started.port}/1)`);
  } catch (error) {
    console.error(printable(`The collector could not start: ${error.message}`));
    process.exit(1);
  }
}
