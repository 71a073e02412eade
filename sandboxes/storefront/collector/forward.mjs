// Sends every envelope the collector receives on to the learner's own Sentry project as well, when
// they have given its DSN (the course writes it to FORWARD_SETTINGS; outside the course, set
// SENTRY_FORWARD_DSN). The course keeps showing everything; forwarding never holds up the shop:
// envelopes wait in a capped queue, and whatever cannot be sent is counted and said, never lost
// without a word. Plain Node (fetch, zlib): it runs in WebContainers too, where the request goes out
// through the browser (Sentry's ingest takes envelopes from browsers: CORS allows it).
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { FORWARD_SETTINGS, FORWARD_STATUS } from './forward-files.mjs';

/** The most envelopes, and bytes, waiting to be sent; past either, the oldest waiting one is dropped (and counted). */
export const MAX_QUEUED = 200;
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;
const TIMEOUT_MS = 15_000;
const RETRY_MS = { first: 1000, most: 60_000 };
const gzipped = promisify(gzip);

/**
 * A Sentry DSN, `https://<public key>@<host>[/<path>]/<project id>`, taken apart: where its
 * envelopes go and the key that goes with them. Throws an Error that says what is wrong.
 */
export function parseDsn(text) {
  const dsn = String(text ?? '').trim();
  let url;
  try {
    url = new URL(dsn);
  } catch {
    throw new Error(`"${dsn}" is not a DSN: copy it from your Sentry project's settings, Client Keys (DSN); it looks like https://<key>@<org>.ingest.sentry.io/<project>`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`a DSN starts with https:// (this one with ${url.protocol})`);
  if (!url.username) throw new Error('this DSN has no public key: it comes before the @, as in https://<key>@<host>/<project>');
  const segments = url.pathname.split('/').filter(Boolean);
  const projectId = segments.pop();
  if (!projectId || !/^\d+$/.test(projectId)) throw new Error('this DSN does not end in a project number, as in https://<key>@<host>/<project>');
  const prefix = segments.length ? `/${segments.join('/')}` : '';
  return {
    dsn,
    publicKey: decodeURIComponent(url.username),
    projectId,
    host: url.host,
    /** Whether it names a collector on this machine at `port` (the course's own DSN, pasted by mistake, would send every envelope round and round). */
    isLocal: (port) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && Number(url.port || (url.protocol === 'https:' ? 443 : 80)) === port,
    endpoint: `${url.protocol}//${url.host}${prefix}/api/${projectId}/envelope/`,
  };
}

/** The envelope with its header's `dsn` (if any) now naming the learner's project, items byte for byte as they were. */
export function rewriteEnvelope(bytes, target) {
  const end = bytes.indexOf(0x0a);
  const headerBytes = end === -1 ? bytes : bytes.subarray(0, end);
  const header = JSON.parse(headerBytes.toString('utf8'));
  if (!('dsn' in header)) return bytes;
  header.dsn = target.dsn;
  const rest = end === -1 ? Buffer.alloc(0) : bytes.subarray(end);
  return Buffer.concat([Buffer.from(JSON.stringify(header)), rest]);
}

/** Retry-After in seconds or as an HTTP date, else the first limit of X-Sentry-Rate-Limits; in ms. */
export function retryAfterMs(headers, now = Date.now()) {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const limits = headers.get('x-sentry-rate-limits');
  const seconds = limits ? Number(limits.split(':')[0]) : NaN;
  return Number.isFinite(seconds) ? seconds * 1000 : 60_000;
}

/**
 * The forwarder: `forward(bytes, { gzip })` queues an envelope (decoded bytes; `gzip`: it arrived
 * gzipped, and goes on gzipped). Its settings are looked at before each envelope is queued.
 * `ownPort()`: the collector's own port, whose DSN is refused.
 * @param {{ settingsFile?: string, statusFile?: string, fetch?: typeof fetch, log?: (line: string) => void, now?: () => number, ownPort?: () => number }} [options]
 */
export function createForwarder({
  settingsFile = FORWARD_SETTINGS,
  statusFile = FORWARD_STATUS,
  fetch = globalThis.fetch,
  log = console.error,
  now = Date.now,
  ownPort = () => Number(process.env.COLLECTOR_PORT ?? 8969),
} = {}) {
  let target = null;
  let settingsProblem = null;
  let settingsStamp = null;
  const queue = [];
  let queuedBytes = 0;
  let counts = { forwarded: 0, dropped: 0 };
  let lastError = null;
  let pausedUntil = 0;
  let failures = 0;
  let sending = false;
  /** The queue is at its cap and dropping (said once, see forward()). */
  let overflowing = false;
  let wake = null;

  const status = () => ({
    dsn: target?.dsn ?? null,
    problem: settingsProblem,
    ...counts,
    queued: queue.length,
    lastError,
    retryAt: pausedUntil > now() ? pausedUntil : null,
  });
  let writing = Promise.resolve();
  const publish = () => {
    const text = `${JSON.stringify(status())}\n`;
    // Written whole, then moved into place: the course never reads half a status.
    writing = writing
      .then(async () => {
        await mkdir(dirname(statusFile), { recursive: true });
        await writeFile(`${statusFile}.tmp`, text);
        await rename(`${statusFile}.tmp`, statusFile);
      })
      .catch(() => undefined);
    return writing;
  };
  const fail = (message) => {
    lastError = { message, at: now() };
    log(`forwarding to your Sentry: ${message}`);
  };
  const dropAll = () => {
    queue.length = 0;
    queuedBytes = 0;
  };

  /** Reads the settings when the file changed; a new DSN starts a fresh count. */
  const readSettings = async () => {
    const info = await stat(settingsFile).catch(() => null);
    const stamp = info ? `${info.mtimeMs}:${info.size}` : process.env.SENTRY_FORWARD_DSN ? 'env' : null;
    if (stamp === settingsStamp) return;
    settingsStamp = stamp;
    let wanted = null;
    if (info) wanted = (JSON.parse(await readFile(settingsFile, 'utf8').catch(() => '{}') || '{}')?.dsn ?? null) || null;
    else if (stamp === 'env') wanted = process.env.SENTRY_FORWARD_DSN;
    if ((wanted ?? null) === (target?.dsn ?? null) && !settingsProblem) return;
    dropAll();
    wake?.();
    counts = { forwarded: 0, dropped: 0 };
    lastError = null;
    pausedUntil = 0;
    failures = 0;
    target = null;
    settingsProblem = null;
    if (wanted) {
      try {
        target = parseDsn(wanted);
        if (target.isLocal(ownPort())) {
          target = null;
          throw new Error("that is the DSN of this shop's own collector (the one in instrument.ts): give the DSN of your Sentry project, from its Settings → Client Keys");
        }
        log(`forwarding every envelope to your Sentry as well: project ${target.projectId} on ${target.host}`);
      } catch (error) {
        settingsProblem = error.message;
        log(`not forwarding to your Sentry: ${settingsProblem}`);
      }
    }
    await publish();
  };

  const sendOne = async (entry) => {
    const body = entry.gzip ? await gzipped(rewriteEnvelope(entry.bytes, target)) : rewriteEnvelope(entry.bytes, target);
    return fetch(target.endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-sentry-envelope',
        'X-Sentry-Auth': `Sentry sentry_version=7, sentry_key=${target.publicKey}, sentry_client=trace-and-co-collector/1.0`,
        ...(entry.gzip ? { 'Content-Encoding': 'gzip' } : {}),
      },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  };

  const pause = (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** One more failure in a row: how long to wait before the next try (1 s, doubling, at most a minute). */
  const backOff = () => {
    failures++;
    return Math.min(RETRY_MS.most, RETRY_MS.first * 2 ** (failures - 1));
  };

  /** Sends what waits, one at a time, in order; keeps an envelope at the head while Sentry asks to wait or cannot be reached. */
  const drain = async () => {
    if (sending) return;
    sending = true;
    try {
      while (target && queue.length) {
        if (pausedUntil > now()) await pause(pausedUntil - now());
        const entry = queue[0];
        const sentTo = target;
        let outcome;
        try {
          const response = await sendOne(entry);
          outcome = response;
          await response.arrayBuffer().catch(() => undefined);
        } catch (error) {
          outcome = error;
        }
        if (sentTo !== target || queue[0] !== entry) continue; // the DSN changed meanwhile
        if (outcome instanceof Error) {
          const wait = backOff();
          const why = outcome.name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : (outcome.cause?.code ?? outcome.cause?.message ?? outcome.message);
          fail(`${sentTo.host} cannot be reached (${why}); trying again in ${Math.round(wait / 1000)} s, ${queue.length} waiting`);
          pausedUntil = now() + wait;
        } else if (outcome.status === 429) {
          const wait = retryAfterMs(outcome.headers, now());
          fail(`Sentry asks to slow down (429): sending again in ${Math.round(wait / 1000)} s, ${queue.length} waiting`);
          pausedUntil = now() + wait;
        } else if (outcome.status >= 500) {
          const wait = backOff();
          fail(`Sentry answered ${outcome.status}; trying again in ${Math.round(wait / 1000)} s`);
          pausedUntil = now() + wait;
        } else {
          failures = 0;
          queue.shift();
          queuedBytes -= entry.bytes.length;
          if (outcome.ok) counts.forwarded++;
          else {
            counts.dropped++;
            const why =
              outcome.status === 401 || outcome.status === 403
                ? `Sentry refused the DSN's key (${outcome.status}): copy the DSN again from your project's Client Keys`
                : `Sentry refused an envelope (${outcome.status})`;
            fail(why);
          }
        }
        await publish();
      }
    } finally {
      sending = false;
    }
  };

  // One read of the settings at a time (every envelope reads them, and so does the course's
  // refresh): two overlapping, the older one's answer could replace the newer one's for good.
  let settingsRead = Promise.resolve();
  const readSettingsInTurn = () => (settingsRead = settingsRead.then(readSettings, readSettings));

  return {
    /** Queues an envelope for the learner's Sentry, if they gave one; never waits for it to be sent. */
    async forward(bytes, { gzip = false } = {}) {
      await readSettingsInTurn().catch((error) => fail(`its settings could not be read: ${error.message}`));
      if (!target) return;
      queue.push({ bytes, gzip });
      queuedBytes += bytes.length;
      let droppedNow = 0;
      while (queue.length > MAX_QUEUED || queuedBytes > MAX_QUEUED_BYTES) {
        const oldest = queue.splice(1, 1)[0] ?? queue.shift();
        queuedBytes -= oldest.bytes.length;
        counts.dropped++;
        droppedNow++;
      }
      // Said once as the queue overflows (also in the terminal), not once per envelope while it stays full.
      if (droppedNow && !overflowing) fail(`more envelopes than can wait (${MAX_QUEUED}, or ${MAX_QUEUED_BYTES / 1024 / 1024} MB): the oldest waiting were dropped`);
      overflowing = droppedNow > 0 || (overflowing && queue.length >= MAX_QUEUED);
      void publish();
      void drain();
    },
    /** Looks at the settings now (the course just changed them). */
    refresh: () => readSettingsInTurn(),
    status,
    /** Stops waiting out a pause (tests; a DSN change). */
    retryNow() {
      pausedUntil = 0;
      wake?.();
    },
  };
}
