import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { attachLocalRuntime, createLaunchToken, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { PROTOCOL, RUNTIME_PATH, tokenProtocol } from '../../src/runtime/local/protocol.ts';
import { describeRuntimeContract } from './contract.ts';
import { packagesSnapshot } from '../support/packages-snapshot.ts';

const token = createLaunchToken();
const sandboxesDir = mkdtempSync(join(tmpdir(), 'ctl-contract-'));
const cacheDir = mkdtempSync(join(tmpdir(), 'ctl-contract-cache-'));
let server: Server;
let bridge: LocalRuntimeBridge;
let url: string;
let origin: string;

beforeAll(async () => {
  server = createServer((_req, res) => res.end('site'));
  const allowedOrigins: string[] = [];
  bridge = attachLocalRuntime(server, { token, allowedOrigins, sandboxesDir, cacheDir, snapshotsDir: (await packagesSnapshot()).dir });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  allowedOrigins.push(origin);
  url = `ws://127.0.0.1:${port}${RUNTIME_PATH}`;
}, 300_000);

afterAll(async () => {
  await bridge.close();
  server.close();
});

describeRuntimeContract('local', () => connectLocalRuntime(url, token), packagesSnapshot);

/** Tries a raw WebSocket handshake; resolves with the HTTP status it got (101 = accepted). */
function handshake(options: { protocols?: string[]; origin?: string }): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, options.protocols ?? [], { origin: options.origin });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

describe('who may use the local runtime', () => {
  test('the page with this launch token is accepted', async () => {
    expect(await handshake({ protocols: [PROTOCOL, tokenProtocol(token)], origin })).toBe(101);
  });
  test('no token: refused', async () => {
    expect(await handshake({ protocols: [PROTOCOL], origin })).toBe(403);
  });
  test('a wrong token: refused', async () => {
    expect(await handshake({ protocols: [PROTOCOL, tokenProtocol(createLaunchToken())], origin })).toBe(403);
  });
  test("another site's page, even with the token: refused", async () => {
    expect(await handshake({ protocols: [PROTOCOL, tokenProtocol(token)], origin: 'http://evil.example' })).toBe(403);
  });
});

describe('a sandbox stays in its folder and ends with its page', () => {
  test('a symlink that points out of the sandbox cannot be followed', async () => {
    const runtime = await connectLocalRuntime(url, token);
    await runtime.mount({ 'inside.txt': 'x' });
    const [folder] = bridge.sessions().filter((f) => existsSync(join(f, 'inside.txt')));
    symlinkSync('/etc', join(folder!, 'escape'));
    await expect(runtime.readFile('escape/passwd')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await expect(runtime.writeFile('escape/evil', 'x')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await runtime.teardown();
  });

  test('a dropped connection (a closed tab) kills its processes and removes its folder', async () => {
    // A raw socket speaking the protocol, so the test can drop it without any polite teardown.
    const socket = new WebSocket(url, [PROTOCOL, tokenProtocol(token)], { origin });
    await new Promise((resolve) => socket.once('open', resolve));
    let output = '';
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.event === 'output') output += message.data;
    });
    socket.send(JSON.stringify({ id: 1, op: 'mount', tree: { 'marker.txt': 'dropped' } }));
    socket.send(JSON.stringify({ id: 2, op: 'spawn', processId: 3, command: 'node', args: ['-e', 'console.log("pid:" + process.pid); setInterval(() => {}, 1000)'], options: {} }));
    await expect.poll(() => /pid:(\d+)/.exec(output)?.[1], { timeout: 10_000 }).toBeDefined();
    const pid = Number(/pid:(\d+)/.exec(output)![1]);
    const folder = bridge.sessions().find((f) => existsSync(join(f, 'marker.txt')));
    expect(folder).toBeDefined();
    expect(alive(pid)).toBe(true);

    socket.terminate();
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => existsSync(folder!), { timeout: 10_000 }).toBe(false);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
