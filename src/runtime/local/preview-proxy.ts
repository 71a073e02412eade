/**
 * The lesson page is cross-origin isolated (COEP require-corp), so it may only frame pages that
 * opt in. The shop's dev server does not, so each port the sandbox serves gets a loopback proxy
 * that adds the opt-in headers. WebSocket upgrades (Vite's hot reload) pass through too.
 *
 * It is also the course's guard in front of the shop's servers:
 * - on Linux only the learner's own programs (their browser) and root may connect to it;
 * - it answers only its own Host (no DNS-rebound name) and plain `/path` request targets (one
 *   like `http://[/` took Vite down);
 * - the course's session cookie never reaches the shop: cookies ignore ports, so the preview's
 *   requests carry it;
 * - it hands a request on only to one of the learner's programs: when another user's program
 *   listens on the shop's port (it took the port while the shop restarted), the page gets a 502
 *   naming them, and they get nothing.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { dropUntrusted, guardConnection } from './loopback-peers.cjs';

const FRAMEABLE = {
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'cross-origin',
};

export interface PreviewProxy {
  url: string;
  close: () => void;
}

/** The course server's own cookies (`ctl-session-<port>`), taken out of a Cookie header. */
export function withoutCourseCookies(header: string | string[] | undefined): string | undefined {
  const kept = [header ?? '']
    .flat()
    .join('; ')
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !/^ctl-session-\d+=/.test(part));
  return kept.length ? kept.join('; ') : undefined;
}

/** A request target the shop's servers can take: a path, which `new URL()` reads. */
function readableTarget(target: string | undefined): boolean {
  if (!target?.startsWith('/') || target.startsWith('//')) return false;
  try {
    new URL(target, 'http://localhost');
    return true;
  } catch {
    return false;
  }
}

/** The headers the shop gets: the same, without the course's cookies. */
function forwarded(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const { cookie, ...rest } = headers;
  const kept = withoutCourseCookies(cookie);
  return kept ? { ...rest, cookie: kept } : rest;
}

/** A connection to the shop's port that fails, sending nothing, unless the learner's program listens there. */
const toShop = (port: number): Socket => guardConnection(connect(port, '127.0.0.1'));

export async function startPreviewProxy(targetPort: number): Promise<PreviewProxy> {
  let ownHosts: string[] = [];
  // Kept-alive connections to the shop, each checked once, when it connects.
  const agent = Object.assign(new Agent({ keepAlive: true }), { createConnection: () => toShop(targetPort) });
  /** Why this proxy does not pass the request on, or null. */
  const refusal = (req: IncomingMessage): [number, string] | null => {
    if (!ownHosts.includes(String(req.headers.host).toLowerCase())) return [421, 'This preview answers only its own address.'];
    if (!readableTarget(req.url)) return [400, 'Bad request: the preview takes paths only.'];
    return null;
  };

  const pass = (req: IncomingMessage, res: ServerResponse, again = false) => {
    const upstream = request({ agent, host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: forwarded(req.headers) }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...FRAMEABLE });
      answer.pipe(res);
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the shop closed (its idle timeout) just as this request went out on
      // it: nothing was answered, so a GET or HEAD goes again, once, on a new connection.
      if (!again && upstream.reusedSocket && error.code === 'ECONNRESET' && !res.headersSent && (req.method === 'GET' || req.method === 'HEAD'))
        return pass(req, res, true);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', ...FRAMEABLE });
      res.end(`The shop on port ${targetPort} is not answering (${error.message}). It may be restarting; reload in a moment.`);
    });
    if (again) upstream.end();
    else req.pipe(upstream);
  };
  const server: Server = createServer((req, res) => {
    const refused = refusal(req);
    if (refused) return void res.writeHead(refused[0], { 'content-type': 'text/plain; charset=utf-8', ...FRAMEABLE }).end(`${refused[1]}\n`);
    pass(req, res);
  });
  // On Linux, a connection from a program of another user is dropped before a byte of it is read.
  server.prependListener('connection', (socket: Socket) => dropUntrusted(socket));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refused = refusal(req);
    if (refused) return void socket.end(`HTTP/1.1 ${refused[0]} Refused\r\nConnection: close\r\n\r\n${refused[1]}\n`);
    const upstream = toShop(targetPort);
    upstream.once('connect', () => {
      const headers = Object.entries(forwarded(req.headers)).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`));
      upstream.write(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n${headers.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ownHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => {
      server.closeAllConnections();
      server.close();
      agent.destroy();
    },
  };
}
