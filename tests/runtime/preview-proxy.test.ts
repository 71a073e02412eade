/**
 * The preview's proxy in front of the shop (src/runtime/local/preview-proxy.ts) keeps connections
 * to the shop alive. The shop's servers close an idle one after a few seconds, and one may close
 * just as the proxy sends a request on it: the page must not see that as the shop failing (CI saw
 * an image of the shop answer 502 mid-lesson).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { startPreviewProxy, type PreviewProxy } from '../../src/runtime/local/preview-proxy.ts';

let shop: Server | undefined;
let proxy: PreviewProxy | undefined;

afterEach(() => {
  proxy?.close();
  shop?.close();
});

/**
 * A shop whose first connection closes, unanswered, when its second request arrives (as a server
 * closes an idle connection the moment a request is on its way); every other request gets "ok".
 */
async function shopClosingItsFirstConnection(): Promise<{ port: number; requests: () => string[] }> {
  const requests: string[] = [];
  let connections = 0;
  shop = createServer((socket: Socket) => {
    const connection = ++connections;
    let seen = 0;
    socket.on('data', (chunk) => {
      requests.push(`${connection}: ${chunk.toString().split('\r\n')[0]}`);
      if (connection === 1 && ++seen === 2) return void socket.destroy();
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
    });
  });
  await new Promise<void>((resolve) => shop!.listen(0, '127.0.0.1', resolve));
  return { port: (shop.address() as { port: number }).port, requests: () => requests };
}

test('a GET on a kept-alive connection the shop has just closed goes again on a new one: the page gets its answer, not a 502', async () => {
  const { port, requests } = await shopClosingItsFirstConnection();
  proxy = await startPreviewProxy(port);
  expect((await fetch(`${proxy.url}images/mug.svg`)).status).toBe(200);
  const again = await fetch(`${proxy.url}images/tote.svg`);
  expect(again.status).toBe(200);
  expect(await again.text()).toBe('ok');
  expect(requests()).toEqual(['1: GET /images/mug.svg HTTP/1.1', '1: GET /images/tote.svg HTTP/1.1', '2: GET /images/tote.svg HTTP/1.1']);
});

test('a POST is never sent twice: when its connection closes unanswered, the page gets a 502 that says why', async () => {
  const { port, requests } = await shopClosingItsFirstConnection();
  proxy = await startPreviewProxy(port);
  expect((await fetch(`${proxy.url}api/products`)).status).toBe(200);
  const checkout = await fetch(`${proxy.url}api/checkout`, { method: 'POST', body: '{}' });
  expect(checkout.status).toBe(502);
  expect(await checkout.text()).toMatch(/The shop on port \d+ is not answering \(socket hang up\)/);
  expect(requests().filter((line) => line.includes('POST'))).toHaveLength(1);
});
