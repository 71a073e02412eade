import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OutputFrameReader } from '../../src/sandbox/output-frames.ts';
import { startTestCollector, type TestCollector } from './collector.ts';

const good = (id: string) =>
  `{"event_id":"${id}","sdk":{"name":"sentry.javascript.browser"}}\n{"type":"event"}\n{"event_id":"${id}","exception":{"values":[{"type":"TypeError","value":"Failed ` +
  `to fetch"}]}}\n`;

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector.close());

const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${collector.port}${path}`, { method: 'POST', body, headers });

describe('the collector accepts what the SDKs send', () => {
  test('answers 200 with the event id, like Sentry, with or without auth in the query', async () => {
    const response = await post('/api/1/envelope/?sentry_key=public&sentry_version=7', good('aaaa'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'aaaa' });
    expect((await post('/api/1/envelope/', good('bbbb'))).status).toBe(200);
  });

  test('takes gzip bodies (the Node SDK compresses above 32 KiB)', async () => {
    const response = await post('/api/1/envelope/', gzipSync(good('cccc')), { 'Content-Encoding': 'gzip' });
    expect(response.status).toBe(200);
    expect(collector.store.issues().some((issue) => issue.events.some((event) => event.eventId === 'cccc'))).toBe(true);
  });

  test("answers the browser SDK's CORS preflight, and puts CORS on every answer to the shop's page", async () => {
    const shop = { Origin: 'http://localhost:5173' };
    const preflight = await fetch(`http://127.0.0.1:${collector.port}/api/1/envelope/`, { method: 'OPTIONS', headers: shop });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(shop.Origin);
    const bad = await post('/api/1/envelope/', 'not an envelope', { 'Content-Type': 'text/plain', ...shop });
    expect(bad.headers.get('access-control-allow-origin')).toBe(shop.Origin);
  });

  test("refuses a page's envelope sent straight to its port, as a browser sandbox could not send it, and says to use the tunnel", async () => {
    const direct = await post('/api/1/envelope/', good('eeee'), { 'Content-Type': 'text/plain', Origin: 'http://localhost:5173' });
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { detail: string }).detail).toMatch(/tunnel: '\/tunnel'/);
    expect(collector.store.issues().some((issue) => issue.events.some((event) => event.eventId === 'eeee'))).toBe(false);
  });

  test('takes envelopes through the tunnel when their dsn targets this project', async () => {
    const dsn = `{"event_id":"dddd","dsn":"http://public@localhost:8969/1"}\n{"type":"event"}\n{"message":"hi"}\n`;
    expect((await post('/tunnel', dsn)).status).toBe(200);
    const other = dsn.replace('8969/1', '8969/42');
    expect((await post('/tunnel', other)).status).toBe(400);
  });
});

describe('bad input gets a clear 400 and the collector keeps going', () => {
  test.each([
    ['an empty body', ''],
    ['a header that is not JSON', 'hello\n'],
    ['an item header that is not JSON', '{}\n{type: event}\n{}\n'],
    ['an item longer than the body', '{}\n{"type":"event","length":500}\n{}\n'],
  ])('%s', async (_name, body) => {
    const response = await post('/api/1/envelope/', body);
    expect(response.status).toBe(400);
    expect((await response.json()).detail).toMatch(/\w+/);
    expect((await post('/api/1/envelope/', good('eeee'))).status).toBe(200);
  });

  test('a body that claims gzip but is not', async () => {
    const response = await post('/api/1/envelope/', 'plain', { 'Content-Encoding': 'gzip' });
    expect(response.status).toBe(400);
    expect((await response.json()).detail).toMatch(/gzip/);
  });

  test('an unknown project is a 404', async () => {
    expect((await post('/api/7/envelope/', good('ffff'))).status).toBe(404);
  });
});

test('run as a process for the course (SHOP_STATUS_FRAMES=1), it frames every envelope on stdout; the course reads them back whole', async () => {
  const child = spawn(process.execPath, ['collector/server.mjs'], {
    cwd: new URL('../../sandboxes/storefront/', import.meta.url),
    env: { ...process.env, COLLECTOR_PORT: '0', SHOP_STATUS_FRAMES: '1' },
  });
  const reader = new OutputFrameReader();
  const frames: Uint8Array[] = [];
  let text = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      // Feed it in small pieces, as a terminal stream arrives.
      for (let i = 0; i < chunk.length; i += 7) {
        const out = reader.push(chunk.slice(i, i + 7));
        frames.push(...out.envelopes.map((frame) => frame.envelope));
        text += out.text;
      }
      const match = /127\.0\.0\.1:(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  const envelope = `${good('1234').trimEnd()}\n{"type":"attachment","length":4}\n\u00e9\u00e9\n`;
  await fetch(`http://127.0.0.1:${port}/api/1/envelope/`, { method: 'POST', body: envelope });
  await expect.poll(() => frames.length).toBe(1);
  expect(new TextDecoder().decode(frames[0])).toBe(envelope);
  expect(text).toContain('envelope #1');
  expect(text).not.toContain('@@collector');
  child.kill();
});
