/**
 * Who is at the other end of a loopback connection (loopback-peers.cjs), for every pairing of a
 * client's and a server's address family: the owner is found whichever of /proc/net/tcp and tcp6
 * lists the socket, and another user's connection is told apart from the learner's own.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import peers from '../../src/runtime/local/loopback-peers.cjs';
import { lastJson, otherUser, runAsOtherUser } from '../support/other-user.ts';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server on `host`, and a promise of each connection it accepts. */
async function listening(host: string): Promise<{ port: number; accepted: () => Promise<Socket> }> {
  const waiting: ((socket: Socket) => void)[] = [];
  const server = createServer((socket) => waiting.shift()?.(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  return { port, accepted: () => new Promise((resolve) => waiting.push(resolve)) };
}

// Server address, and the address a client dials: an IPv4 client of a dual-stack server, and an
// IPv6 socket dialling an IPv4 server through a v4-mapped address, are listed in the other table.
const PAIRINGS = [
  ['127.0.0.1', '127.0.0.1'],
  ['::', '127.0.0.1'],
  ['::', '::ffff:127.0.0.1'],
  ['127.0.0.1', '::ffff:127.0.0.1'],
  ['::1', '::1'],
] as const;

describe.skipIf(!peers.available())('the owner of a loopback connection', () => {
  test.each(PAIRINGS)('a server on %s, a client dialling %s: both ends are the learner’s', async (serverHost, dialled) => {
    const { port, accepted } = await listening(serverHost);
    const serverEnd = accepted();
    const client = connect(port, dialled);
    await new Promise((resolve) => client.once('connect', resolve));
    const server = await serverEnd;
    try {
      expect(peers.clientOf(server)).toEqual({ uid: peers.ownUid() });
      expect(peers.serverOf(client)).toEqual({ uid: peers.ownUid() });
      expect(peers.dropUntrusted(server)).toBeNull();
    } finally {
      client.destroy();
      server.destroy();
    }
  });

  test.skipIf(otherUser.skip).each(PAIRINGS)('a server on %s, another user dialling %s: named, and dropped', async (serverHost, dialled) => {
    const { port, accepted } = await listening(serverHost);
    const serverEnd = accepted();
    const attack = runAsOtherUser(
      `import { connect } from 'node:net';
       const socket = connect(${port}, ${JSON.stringify(dialled)});
       socket.on('connect', () => setTimeout(() => socket.end(), 3000).unref());
       socket.on('close', () => console.log(JSON.stringify({ closed: true })));
       socket.on('error', (error) => console.log(JSON.stringify({ error: error.code })));`,
    );
    const server = await serverEnd;
    expect(peers.clientOf(server)).toEqual({ uid: otherUser.uid });
    expect(peers.dropUntrusted(server)).toEqual({ owner: { uid: otherUser.uid } });
    expect(server.destroyed).toBe(true);
    expect(lastJson(await attack)).toMatchObject({ closed: true });
  });
});
