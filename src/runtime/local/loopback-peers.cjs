'use strict';
/**
 * Who is at the other end of a TCP connection on this machine, and who listens on a port: Linux
 * lists every socket of the network namespace in /proc/net/tcp and /proc/net/tcp6 with its owner's
 * uid, so a server can tell a connection from the learner's own programs from one of another user's
 * (identd's trick, without the daemon). Plain CommonJS with no dependencies: the course server
 * imports it, and it is preloaded into every sandbox process (sandbox-guard.cjs), on Node 20 and 22.
 * Elsewhere (macOS, Windows, a WebContainer) `available()` is false and nothing can be told.
 */
const { readFileSync } = require('node:fs');
const { isIPv4, isIPv6 } = require('node:net');
const { endianness, networkInterfaces } = require('node:os');

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];
const LISTEN = '0A';
/** IPv4 addresses, as addressKey writes them: IPv4-mapped IPv6. */
const V4_PREFIX = '00000000000000000000ffff';
const ROOT = 0;
const littleEndian = endianness() === 'LE';

let canTell;
/** Whether this system can tell who owns a socket (asked once: every read of a table costs). */
function available() {
  if (canTell === undefined) {
    try {
      canTell = process.platform === 'linux' && readFileSync(TABLES[0], 'latin1').length > 0;
    } catch {
      canTell = false;
    }
  }
  return canTell;
}

/** An address as 32 hex digits of IPv6; IPv4 (and IPv4-mapped IPv6) as ::ffff:a.b.c.d. */
function addressKey(address) {
  const plain = String(address).replace(/%.*$/, '').toLowerCase();
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(plain);
  if (v4 && isIPv4(v4.slice(1).join('.'))) {
    return `${V4_PREFIX}${v4
      .slice(1)
      .map((part) => Number(part).toString(16).padStart(2, '0'))
      .join('')}`;
  }
  if (!isIPv6(plain)) return null;
  const [head, tail = ''] = plain.includes('::') ? plain.split('::') : [plain, undefined];
  const groups = (text) => (text ? text.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  return [...left, ...Array(Math.max(missing, 0)).fill('0'), ...right].map((group) => group.padStart(4, '0')).join('');
}

/** /proc/net's address hex (each 32-bit word in host byte order) as an addressKey. */
function procAddressKey(hex) {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.map((word) => {
    const pairs = word.match(/../g);
    return (littleEndian ? pairs.reverse() : pairs).join('').toLowerCase();
  });
  return bytes.length === 1 ? `${V4_PREFIX}${bytes[0]}` : bytes.join('');
}

const isLoopbackKey = (key) => key === '00000000000000000000000000000001' || key.startsWith(`${V4_PREFIX}7f`);
const isWildcardKey = (key) => /^0+$/.test(key) || key === `${V4_PREFIX}00000000`;

/** Every TCP socket of this network namespace (or of the given tables): addresses, ports, state, owner and inode. */
function sockets(tables = TABLES) {
  const found = [];
  for (const table of tables) {
    let text = '';
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [localHex, localPort] = fields[1].split(':');
      const [remoteHex, remotePort] = fields[2].split(':');
      found.push({
        local: procAddressKey(localHex),
        localPort: Number.parseInt(localPort, 16),
        remote: procAddressKey(remoteHex),
        remotePort: Number.parseInt(remotePort, 16),
        state: fields[3],
        uid: Number(fields[7]),
        inode: fields[9],
      });
    }
  }
  return found;
}

/** Whether an addressKey is one of this machine's own addresses (loopback or an interface's). */
function isOwnAddress(key) {
  if (isLoopbackKey(key)) return true;
  return Object.values(networkInterfaces())
    .flat()
    .some((info) => info && addressKey(info.address) === key);
}

/**
 * The owner of the socket at `address:port` whose peer is `peerAddress:peerPort`: `{ uid }` for a
 * live socket of a process on this machine; `null` when the address is not this machine's (the
 * peer is another machine); `undefined` when it cannot be told (no /proc, or the socket is closing
 * and has no owner any more). `listener`: for a server's end, which may not be accepted yet, the
 * owner of the socket listening on that port answers.
 */
function ownerOf(address, port, peerAddress, peerPort, { listener = false } = {}) {
  const key = addressKey(address);
  const peerKey = addressKey(peerAddress);
  if (!key || !peerKey) return undefined;
  // A socket is in one table only, and reading one walks the kernel's whole connection hash (a few
  // ms on a large machine): the table of the address's family first, the other only if need be.
  const tables = key.startsWith(V4_PREFIX) ? TABLES : [...TABLES].reverse();
  const isTheSocket = (s) => s.localPort === port && s.remotePort === peerPort && s.local === key && s.remote === peerKey;
  const all = sockets([tables[0]]);
  let entry = all.find(isTheSocket);
  if (!entry || (listener && entry.inode === '0')) {
    const rest = sockets([tables[1]]);
    all.push(...rest);
    entry ??= rest.find(isTheSocket);
  }
  if (entry && entry.inode !== '0') return { uid: entry.uid };
  if (!entry && !isOwnAddress(key)) return null;
  return listener ? listenerOwner(key, port, all) : undefined;
}

/** The owner of the socket listening on `address:port` (or on any address with that port). */
function listenerOwner(key, port, all) {
  const listener = all.find((s) => s.state === LISTEN && s.localPort === port && (s.local === key || isWildcardKey(s.local)));
  return listener ? { uid: listener.uid } : undefined;
}

/** Who connected to this server socket: see ownerOf. */
function clientOf(socket) {
  if (!available()) return undefined;
  return ownerOf(socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort);
}

/** Who serves this connected client socket (the server's accepted socket, or its listener): see ownerOf. */
function serverOf(socket) {
  if (!available()) return undefined;
  return ownerOf(socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort, { listener: true });
}

const ownUid = () => (typeof process.getuid === 'function' ? process.getuid() : -1);

/**
 * Whether a client may talk to a server of the learner's: it is one of the learner's processes,
 * root's (who may anyway, and who forwards ports: WSL, container runtimes), or another machine's
 * (the server chose to listen beyond loopback). Where it cannot be told, the caller decides.
 */
function trustedClient(owner) {
  return owner === null || (owner !== undefined && (owner.uid === ownUid() || owner.uid === ROOT));
}

/**
 * Whether a server's new connection came over TCP: a Unix socket's (tsx's IPC, say) has no
 * network peer, and only the file system's permissions say who may connect to it.
 */
function isTcp(socket) {
  const server = socket.server ?? socket._server;
  const address = typeof server?.address === 'function' ? server.address() : null;
  return typeof address === 'object' && address !== null;
}

/**
 * For a server's new connection: drops it unless its client is trusted (see trustedClient, and
 * one that cannot be told is not). Returns null, or the dropped client's owner (`{ uid }`, or
 * undefined when unknown) for a report. Where nothing can be told, nothing is dropped.
 */
function dropUntrusted(socket) {
  if (!available() || !isTcp(socket)) return null;
  const client = clientOf(socket);
  if (trustedClient(client)) return null;
  socket.destroy();
  return { owner: client };
}

/** Raised on a client socket whose server stopped listening as it connected. */
function stoppedServerError(address, port) {
  const error = new Error(`${address}:${port} stopped listening as this connection was made (its server is restarting or has ended)`);
  error.code = 'ECONNRESET';
  return error;
}

/** Raised on a client socket whose server is not the learner's. */
function foreignServerError(address, port, owner) {
  const who = `a program of ${describeUid(owner.uid)}`;
  const error = new Error(
    `${address}:${port} is served by ${who}, not by the shop: the sandbox does not talk to it. ` +
      'Another user took the port (perhaps while the shop restarted); once they let go of it, restart the shop.',
  );
  error.code = 'ERR_CTL_FOREIGN_SERVER';
  return error;
}

/**
 * Checks a client socket the moment it connects, before its 'connect' reaches anyone (so nothing
 * is sent): when `applies(socket)` and the server is not one of the learner's programs, the socket
 * fails with ERR_CTL_FOREIGN_SERVER, as a refused connection would, naming who holds the port.
 */
function guardConnection(socket, applies = () => true) {
  const emit = socket.emit;
  socket.emit = function guardedEmit(event, ...args) {
    if (event !== 'connect') return emit.call(this, event, ...args);
    socket.emit = emit;
    let refused = null;
    try {
      if (applies(socket) && available()) {
        const server = serverOf(socket);
        // No owner and no listener: the server stopped while this connection was made (a backend
        // restarting). Nobody holds the port; the connection fails as the server's closing would.
        if (server === undefined) refused = stoppedServerError(socket.remoteAddress, socket.remotePort);
        else if (server !== null && server.uid !== ownUid()) refused = foreignServerError(socket.remoteAddress, socket.remotePort, server);
      }
    } catch {
      refused = null; // nothing here may break a connection it cannot judge
    }
    if (!refused) return emit.call(this, event, ...args);
    socket.destroy(refused);
    return false;
  };
  return socket;
}

let users;
/** A uid's user name from /etc/passwd, or null. */
function userName(uid) {
  if (!users) {
    users = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id) users.set(Number(id), name);
      }
    } catch {
      // no passwd file: uids only
    }
  }
  return users.get(uid) ?? null;
}

/** "user mallory (uid 1001)", or "uid 1001" when it has no name here. */
function describeUid(uid) {
  const name = userName(uid);
  return name ? `user ${name} (uid ${uid})` : `uid ${uid}`;
}

/** Printable form of an addressKey: 127.0.0.1, ::1, 0.0.0.0, ::. */
function printable(key) {
  if (key.startsWith(V4_PREFIX)) {
    return (key.slice(24).match(/../g) ?? []).map((byte) => Number.parseInt(byte, 16)).join('.');
  }
  if (key === '00000000000000000000000000000001') return '::1';
  if (/^0+$/.test(key)) return '::';
  return (key.match(/.{4}/g) ?? []).map((group) => group.replace(/^0+(?=.)/, '')).join(':');
}

/** The sockets listening on `port`, any address, with their owners: [{ address, uid }]. */
function listenersOn(port) {
  return sockets()
    .filter((s) => s.state === LISTEN && s.localPort === port)
    .map((s) => ({ address: printable(s.local), uid: s.uid, inode: s.inode }));
}

/**
 * Another user's listener on `port` where a loopback connection would reach it (a loopback or
 * wildcard address; root's too: it is not the learner's shop either), or null:
 * `{ port, address, uid, user, message }`, the message naming who holds it.
 */
function foreignListener(port) {
  if (!available()) return null;
  const other = sockets().find((s) => s.state === LISTEN && s.localPort === port && s.uid !== ownUid() && (isLoopbackKey(s.local) || isWildcardKey(s.local)));
  if (!other) return null;
  const address = printable(other.local);
  const shown = address.includes(':') ? `[${address}]` : address;
  return {
    port,
    address,
    uid: other.uid,
    user: userName(other.uid),
    message: `port ${port} (${shown}) is held by a program of ${describeUid(other.uid)}, not by this shop`,
  };
}

module.exports = {
  available,
  addressKey,
  sockets,
  ownerOf,
  clientOf,
  serverOf,
  ownUid,
  trustedClient,
  dropUntrusted,
  guardConnection,
  userName,
  describeUid,
  listenersOn,
  foreignListener,
};
