/**
 * A stand-in for Sentry's envelope endpoint (not Sentry): what the shop's collector forwards to
 * the learner's own project arrives here, parsed with @sentry/core's own envelope parser. It
 * answers each POST with the next status it is given (200 once they run out) and keeps the ones it
 * accepted.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { parseEnvelope, type Envelope } from '@sentry/core';

export interface Forwarded {
  path: string;
  auth: string;
  encoding: string | undefined;
  envelope: Envelope;
}

export async function startIngestStandIn(answers: { status: number; headers?: Record<string, string> }[] = []) {
  const forwarded: Forwarded[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    const answer = answers.shift() ?? { status: 200 };
    if (answer.status === 200)
      forwarded.push({
        path: req.url ?? '',
        auth: String(req.headers['x-sentry-auth'] ?? ''),
        encoding: req.headers['content-encoding'],
        envelope: parseEnvelope(body),
      });
    res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { forwarded, port, dsn: `http://learnerkey@127.0.0.1:${port}/4507`, close: () => new Promise((resolve) => server.close(resolve)) };
}
