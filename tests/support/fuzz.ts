/**
 * Malformed input for the fuzz tests, from fast-check with fixed seeds (a failure replays): raw
 * HTTP requests, and messages for the local runtime's socket, some random, some almost right.
 */
import { connect } from 'node:net';
import fc from 'fast-check';

const OPS = [
  'claim',
  'takeOver',
  'mount',
  'mountSnapshot',
  'readFile',
  'writeFile',
  'rm',
  'readdir',
  'watch',
  'unwatch',
  'spawn',
  'teardown',
  'stdin',
  'resize',
  'kill',
];

const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '.', '..', '../..', '/', '//[', '\0', 'a\0b', '%00', '%2e%2e/', '\u001b[2J', 'node_modules/../../x', '\\..\\x', 'C:\\x', '~'),
);
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 60), Number.MAX_VALUE, 1e308),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A message shaped like the protocol's, with any field wrong or missing. */
const almostMessage = fc.record(
  {
    id: oddValue,
    op: fc.oneof(fc.constantFrom(...OPS), oddString),
    path: oddValue,
    contents: oddValue,
    tree: fc.oneof(oddValue, fc.dictionary(oddString, oddValue, { maxKeys: 4 })),
    file: oddValue,
    watchId: oddValue,
    processId: oddValue,
    // Never a real program: a fuzzed spawn must not run anything.
    command: fc.oneof(oddValue, fc.constant('definitely-not-a-command-ctl')),
    args: fc.oneof(oddValue, fc.array(oddValue, { maxLength: 3 })),
    options: fc.oneof(oddValue, fc.record({ cwd: oddValue, env: oddValue, terminal: fc.record({ cols: oddValue, rows: oddValue }) }, { requiredKeys: [] })),
    data: oddValue,
    cols: oddValue,
    rows: oddValue,
    label: oddValue,
  },
  { requiredKeys: [] },
);

const deeplyNested = fc.integer({ min: 1_000, max: 100_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);

/** Socket messages: almost-right ones, any JSON, text that is not JSON, very deep nesting. */
export function socketMessages(count: number, seed: number): string[] {
  const message = fc.oneof(
    { weight: 6, arbitrary: almostMessage.map((value) => JSON.stringify(value)) },
    { weight: 2, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: deeplyNested },
  );
  return fc.sample(message, { numRuns: count, seed });
}

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}$/);
const headerLine = fc.oneof(
  fc.tuple(token, fc.string({ unit: 'binary', maxLength: 60 })).map(([name, value]) => `${name}: ${value}`),
  fc.constantFrom(
    'Host: evil.example',
    'Host:',
    'Content-Length: -1',
    'Content-Length: 99999999999',
    'Transfer-Encoding: chunked',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Content-Encoding: gzip',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  ),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

/**
 * Raw HTTP requests: odd methods, paths, versions, headers and bodies. `hostHeader` is added to
 * most, so many get past the Host check and reach the code behind it.
 */
export function httpRequests(count: number, seed: number, extraHeaders: string[] = []): string[] {
  const path = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }).map((p) => `/${p}`),
    fc.constantFrom(
      '//[',
      '/%',
      '/%E0%A4%A',
      '/..%2f..%2fetc/passwd',
      '/__runtime',
      '/__runtime?x=%',
      '*',
      'http://evil.example/',
      '/api/1/envelope/',
      '/tunnel',
      '/recorded',
      '/health',
      '/?token=',
      '/?token=%ZZ',
    ),
  );
  const request = fc
    .record({
      method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE'), token),
      path,
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', ''),
      headers: fc.array(headerLine, { maxLength: 6 }),
      withExtras: fc.boolean(),
      body: fc.oneof(fc.constant(''), fc.string({ unit: 'binary', maxLength: 300 })),
    })
    .map(
      ({ method, path, version, headers, withExtras, body }) =>
        `${method} ${path} ${version}\r\n${[...(withExtras ? extraHeaders : []), ...headers].join('\r\n')}\r\n\r\n${body}`,
    );
  return fc.sample(fc.oneof({ weight: 9, arbitrary: request }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) }), {
    numRuns: count,
    seed,
  });
}

/**
 * Sends raw bytes to a TCP port of `host` (`data` as UTF-8, or as Latin-1 to send any byte); resolves with
 * whatever came back once the peer closed, or after `timeoutMs`.
 */
export function sendRaw(port: number, data: string, timeoutMs = 2000, encoding: 'utf8' | 'latin1' = 'utf8', host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, host, () => socket.end(Buffer.from(data, encoding)));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('close', done);
    socket.on('error', done);
  });
}

/** Runs `work` over `items`, `parallel` at a time. */
export async function inParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<unknown>): Promise<void> {
  const queue = items.slice();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}
