'use strict';
/**
 * Preloaded (`--import`) into every process of a local-runtime sandbox: bridge.ts puts it in
 * NODE_OPTIONS. It keeps the shop between the learner and the course, whatever code the learner
 * writes, with Node's own net diagnostics channels (nothing is patched):
 *
 * - Every server a sandbox process runs (Vite, the backend, the collector, anything the learner
 *   starts) drops a connection from a program of another user of this machine before it reads a
 *   byte of it. The learner's own programs, the course server, its preview proxies and the checks
 *   run as the learner and get through; so does root (who forwards ports: WSL, containers).
 * - A sandbox process that connects to one of the shop's ports (CTL_SHOP_PORTS: 5173, 3001, 8969)
 *   hangs up before it sends a byte when the server there is not one of the learner's programs: a
 *   port another user took while the backend restarted is named, never used (Vite's proxy would
 *   have sent them the learner's requests, the SDK its telemetry).
 *
 * Where the system cannot tell who owns a socket (no /proc), it does nothing. It also answers the
 * shop's own scripts, through a global (see `api` below), which port holders are not the shop.
 * Plain CommonJS, Node 20 and 22, no dependencies.
 */
const { subscribe } = require('node:diagnostics_channel');
const peers = require('./loopback-peers.cjs');

const API = Symbol.for('checkout-trace-lab.sandbox-guard');
/** How often, at most, a refused connection is reported in the terminal (per user). */
const REPORT_EVERY_MS = 30_000;

const shopPorts = new Set(
  String(process.env.CTL_SHOP_PORTS ?? '')
    .split(',')
    .map(Number)
    .filter((port) => Number.isInteger(port) && port > 0),
);
const reported = new Map();

function report(uid, port) {
  const now = Date.now();
  if (now - (reported.get(uid) ?? 0) < REPORT_EVERY_MS) return;
  reported.set(uid, now);
  process.stderr.write(`[course guard] refused a connection to port ${port} from a program of ${peers.describeUid(uid)}: the shop answers only to you.\n`);
}

/** A server's new connection: dropped unless the learner's, root's or another machine's. */
function onServerSocket({ socket }) {
  try {
    const port = socket.localPort;
    const dropped = peers.dropUntrusted(socket);
    if (dropped?.owner) report(dropped.owner.uid, port);
  } catch {
    // The guard must never take a server down: a connection it cannot judge goes through.
  }
}

/** A client socket to one of the shop's ports: checked once connected, before anything is sent. */
function onClientSocket({ socket }) {
  if (shopPorts.size > 0) peers.guardConnection(socket, (connected) => shopPorts.has(connected.remotePort));
}

if (peers.available()) {
  subscribe('net.server.socket', onServerSocket);
  subscribe('net.client.socket', onClientSocket);
}

/**
 * For the shop's own scripts, in the local runtime only (elsewhere the global is missing):
 *   globalThis[Symbol.for('checkout-trace-lab.sandbox-guard')]?.foreignListener(3001)
 * is null, or `{ port, address, uid, user, message }` when a program of another user holds the port.
 */
const api = Object.freeze({ foreignListener: (port) => peers.foreignListener(port) });
if (!(API in globalThis)) Object.defineProperty(globalThis, API, { value: api });
