import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { attachLocalRuntime, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { connectLocalRuntime, takeOverLocalRuntime } from '../../src/runtime/local/client.ts';
import { KEY_PROTOCOL_PREFIX, PROTOCOL, RUNTIME_PATH, type Claimed } from '../../src/runtime/local/protocol.ts';
import type { Runtime, SandboxProcess } from '../../src/runtime/types.ts';
import { LaunchAccess, type PageCredentials } from '../../src/server/access.ts';
import { describeRuntimeContract } from './contract.ts';
import { packagesSnapshot } from '../support/packages-snapshot.ts';
import { readAll, readUntil } from '../../src/runtime/process-output.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

interface TestBridge {
  bridge: LocalRuntimeBridge;
  server: Server;
  access: LaunchAccess;
  /** A signed-in page's session: its cookie and origin, and its key. */
  credentials: PageCredentials;
  url: string;
  origin: string;
  connect: (label?: string) => Promise<Runtime>;
  close: () => Promise<void>;
}

/** A real bridge on a real server, with the course server's access rules. */
async function startBridge(sandboxesDir = mkdtempSync(join(scratchDir(), 'ctl-contract-')), more: { reloadGraceMs?: number } = {}): Promise<TestBridge> {
  const access = new LaunchAccess();
  const server = createServer((_req, res) => res.end('site'));
  const bridge = attachLocalRuntime(server, {
    refuseUpgrade: (req) => access.refuseUpgrade(req),
    sandboxesDir,
    cacheDir: mkdtempSync(join(tmpdir(), 'ctl-contract-cache-')),
    snapshotsDir: (await packagesSnapshot()).dir,
    ...more,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  access.listeningOn(port);
  const url = `ws://127.0.0.1:${port}${RUNTIME_PATH}`;
  const credentials = access.pageCredentials();
  return {
    bridge,
    server,
    access,
    credentials,
    url,
    origin: `http://localhost:${port}`,
    connect: (label) => connectLocalRuntime(url, { label, ...credentials }),
    close: async () => {
      await bridge.close();
      server.close();
    },
  };
}

let site: TestBridge;

beforeAll(async () => {
  site = await startBridge();
}, 300_000);

afterAll(() => site.close());

describeRuntimeContract('local', () => site.connect(), packagesSnapshot);

/** Tries a raw WebSocket handshake, offering `key` as the page does; resolves with the HTTP status it got (101 = accepted). */
function handshake(headers: Record<string, string>, key: string | null = site.credentials.key): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(site.url, key === null ? [PROTOCOL] : [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${key}`], { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

describe('who may use the local runtime', () => {
  test('the signed-in page (its cookie, its origin and its key) is accepted', async () => {
    expect(await handshake(site.credentials.headers)).toBe(101);
  });
  test('no cookie: refused', async () => {
    expect(await handshake({ Origin: site.origin })).toBe(403);
  });
  test('a wrong cookie: refused', async () => {
    expect(await handshake({ Origin: site.origin, Cookie: `${site.access.cookieName}=guess` })).toBe(403);
  });
  test("another site's page, even with the cookie: refused", async () => {
    expect(await handshake({ ...site.credentials.headers, Origin: 'http://evil.example' })).toBe(403);
  });
  test('no Origin header at all (any local program): refused, even with the cookie', async () => {
    const { Cookie } = site.credentials.headers;
    expect(await handshake({ Cookie })).toBe(403);
  });
  test('a foreign Host (a DNS-rebound name): refused', async () => {
    expect(await handshake({ ...site.credentials.headers, Host: 'evil.example' })).toBe(403);
  });
  test('the cookie and the Origin without the key (a cookie caught by a server on another port): refused', async () => {
    expect(await handshake(site.credentials.headers, null)).toBe(403);
    expect(await handshake(site.credentials.headers, 'guess')).toBe(403);
  });
  test("another session's key with this one's cookie: refused", async () => {
    const other = site.access.pageCredentials();
    expect(await handshake(site.credentials.headers, other.key)).toBe(403);
    expect(await handshake(other.headers, other.key)).toBe(101);
  });
});

/** The folder of the one live session whose sandbox holds `marker`. */
const folderWith = (marker: string) => site.bridge.sessions().find((f) => existsSync(join(f, marker)))!;
/** The last test's sandbox has ended (it ends as its connection closes, a moment after teardown() returns): the shop's claim is free. */
const noSandboxLeft = () => expect.poll(() => site.bridge.sessions().length, { timeout: 15_000 }).toBe(0);

describe('a sandbox stays in its folder and ends with its page', () => {
  test('a symlink that points out of the sandbox cannot be followed', async () => {
    const runtime = await site.connect();
    await runtime.mount({ 'inside.txt': 'x' });
    symlinkSync('/etc', join(folderWith('inside.txt'), 'escape'));
    await expect(runtime.readFile('escape/passwd')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await expect(runtime.writeFile('escape/evil', 'x')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await runtime.teardown();
  });

  test('a dangling symlink left by a sandbox process is never written through, by writeFile or mount', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'ctl-outside-'));
    const runtime = await site.connect();
    await runtime.mount({ 'dangling.txt': 'x' });
    const folder = folderWith('dangling.txt');
    // What a learner's script could leave behind: links to places that do not exist yet.
    symlinkSync(join(outside, 'planted.txt'), join(folder, 'file-link'));
    symlinkSync(join(outside, 'planted-dir'), join(folder, 'dir-link'));
    await expect(runtime.writeFile('file-link', 'escaped')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await expect(runtime.writeFile('dir-link/x.txt', 'escaped')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await expect(runtime.mount({ 'file-link': 'escaped' })).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    await expect(runtime.mount({ 'dir-link': { 'x.txt': 'escaped' } })).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    expect(existsSync(join(outside, 'planted.txt'))).toBe(false);
    expect(existsSync(join(outside, 'planted-dir'))).toBe(false);
    // The links themselves can still be removed.
    await runtime.rm('file-link');
    expect(existsSync(join(folder, 'file-link'))).toBe(false);
    await runtime.teardown();
  });

  test('a folder swapped for a symlink while the runtime reads or writes through it never leads out (4,000 tries each)', { timeout: 120_000 }, async () => {
    const outside = mkdtempSync(join(tmpdir(), 'ctl-race-outside-'));
    writeFileSync(join(outside, 'passwd'), 'outside the sandbox');
    const runtime = await site.connect();
    await runtime.mount({ 'real/passwd': 'inside', 'wreal/x.txt': '' });
    // What code running as the learner can do, as fast as it can: point the link `a` in and out of
    // the sandbox, and swap the folder `w` for a link out and back.
    const out = JSON.stringify(outside);
    const swapper = await runtime.spawn('node', [
      '-e',
      `const fs = require('fs'); const quietly = (f) => { try { f(); } catch {} }; console.log('swapping');
       for (;;) {
         quietly(() => { fs.symlinkSync('real', 't'); fs.renameSync('t', 'a'); });
         quietly(() => { fs.symlinkSync(${out}, 't'); fs.renameSync('t', 'a'); });
         try { fs.renameSync('wreal', 'w'); } catch { quietly(() => fs.rmSync('w', { recursive: true, force: true })); }
         quietly(() => fs.renameSync('w', 'wreal'));
         quietly(() => fs.symlinkSync(${out}, 'w'));
         quietly(() => fs.unlinkSync('w'));
       }`,
    ]);
    await readUntil(swapper, /swapping/);
    const tally = { inside: 0, outside: 0, refused: 0, written: 0 };
    for (let round = 0; round < 80; round++) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const read = await runtime.readFile('a/passwd').catch(() => null);
          if (read === 'inside') tally.inside++;
          else if (read === null) tally.refused++;
          else tally.outside++;
          const written = await runtime.writeFile('w/x.txt', 'escaped').then(
            () => true,
            () => false,
          );
          if (written) tally.written++;
        }),
      );
    }
    swapper.kill();
    await swapper.exit;
    console.log(
      `symlink race: 4,000 reads (${tally.inside} inside, ${tally.refused} refused, ${tally.outside} outside), ${tally.written} of 4,000 writes went through`,
    );
    expect(tally.outside).toBe(0);
    expect(readdirSync(outside)).toEqual(['passwd']);
    expect(readFileSync(join(outside, 'passwd'), 'utf8')).toBe('outside the sandbox');
    // The race was run: some reads and writes did land, inside.
    expect(tally.inside).toBeGreaterThan(0);
    expect(tally.written).toBeGreaterThan(0);
    await runtime.teardown();
  });

  test("a learner's change inside one sandbox's node_modules never reaches the next sandbox", { timeout: 60_000 }, async () => {
    const snapshot = await packagesSnapshot();
    const express = 'node_modules/express/package.json';
    const first = await site.connect();
    await first.mountSnapshot(snapshot);
    const original = await first.readFile(express);
    // Files are the sandbox's own, not links into a shared cache.
    expect(statSync(join(site.bridge.sessions()[0]!, express)).nlink).toBe(1);
    // Edit a package in place, and remove another, as `npm uninstall` would.
    const edit = await first.spawn('node', [
      '-e',
      `const fs = require('fs'); fs.appendFileSync('${express}', ' '); fs.writeFileSync('node_modules/express/index.js', 'throw new Error("edited")'); ` +
        `fs.rmSync('node_modules/react', { recursive: true })`,
    ]);
    expect(await edit.exit).toBe(0);
    expect(await first.readFile(express)).not.toBe(original);
    await first.teardown();

    const second = await site.connect();
    await second.mountSnapshot(snapshot);
    expect(await second.readFile(express)).toBe(original);
    expect(await second.readFile('node_modules/express/index.js')).not.toContain('edited');
    expect((await second.readdir('node_modules')).some((entry) => entry.name === 'react')).toBe(true);
    await second.teardown();
  });

  test('like mount() in a WebContainer, the snapshot arrives with no file modes and no symlinks, and processes have no ESM loader hooks', {
    timeout: 60_000,
  }, async () => {
    const runtime = await site.connect();
    await runtime.mountSnapshot(await packagesSnapshot());
    const folder = site.bridge.sessions()[0]!;
    const entries = readdirSync(join(folder, 'node_modules'), { recursive: true, withFileTypes: true });
    const executable = entries.filter((entry) => entry.isFile() && statSync(join(entry.parentPath, entry.name)).mode & 0o111);
    expect(executable.map((entry) => join(entry.parentPath, entry.name))).toEqual([]);
    expect(entries.filter((entry) => entry.isSymbolicLink())).toEqual([]);
    expect(entries.some((entry) => entry.parentPath.endsWith('.bin') && entry.name === 'vitest')).toBe(true);
    const hooks = await runtime.spawn('node', [
      '--input-type=module',
      '-e',
      'import * as m from "node:module"; console.log(typeof m.register, typeof m.registerHooks)',
    ]);
    expect((await readAll(hooks)).trim()).toBe('undefined undefined');
    await runtime.teardown();
  });

  test('kill ends only the process, as a WebContainer may: a child it started lives on until its stdin closes', { timeout: 30_000 }, async () => {
    const runtime = await site.connect();
    // The parent starts a child that keeps running, then reports the child's pid.
    const parent = await runtime.spawn('node', [
      '-e',
      'const c = require("child_process").spawn(process.execPath, ["-e", "process.stdin.on(\'end\', () => process.exit(0)).resume(); setInterval(() => {}, 1000)"], ' +
        '{ stdio: ["pipe", "inherit", "inherit"] }); console.log("child " + c.pid); setInterval(() => {}, 1000)',
    ]);
    const pid = Number(/child (\d+)/.exec(await readUntil(parent, /child \d+/))![1]);
    parent.kill();
    await parent.exit;
    // Its pipe closed with it, so a child that watches its stdin ends by itself.
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    await runtime.teardown();
  });

  test('a terminal size is numbers only: a command smuggled in `cols` is refused, not run', async () => {
    const marker = join(tmpdir(), `ctl-cols-${process.pid}`);
    rmSync(marker, { force: true });
    const runtime = await site.connect();
    const size = { cols: `80; touch ${marker}` as unknown as number, rows: 24 };
    await expect(runtime.spawn('sh', ['-c', 'exit 0'], { terminal: size })).rejects.toMatchObject({ code: 'invalid-request' });
    const shell = await runtime.spawn('sh', [], { terminal: { cols: 80, rows: 24 } });
    shell.resize(size);
    shell.write('exit\n');
    await shell.exit;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(marker)).toBe(false);
    await runtime.teardown();
  });

  test('a dropped connection (a closed tab) kills its processes and removes its folder', async () => {
    await noSandboxLeft();
    // A raw socket speaking the protocol, so the test can drop it without any polite teardown.
    const socket = new WebSocket(site.url, [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${site.credentials.key}`], { headers: site.credentials.headers });
    await new Promise((resolve) => socket.once('open', resolve));
    let output = '';
    const answered = new Map<number, { ok: boolean }>();
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.event === 'output') output += message.data;
      if ('id' in message) answered.set(message.id, message);
    });
    socket.send(JSON.stringify({ id: 1, op: 'claim', label: 'raw' }));
    socket.send(JSON.stringify({ id: 2, op: 'mount', tree: { 'marker.txt': 'dropped' } }));
    await expect.poll(() => answered.get(2)?.ok, { timeout: 10_000 }).toBe(true);
    socket.send(
      JSON.stringify({
        id: 3,
        op: 'spawn',
        processId: 4,
        command: 'node',
        args: ['-e', 'console.log("pid:" + process.pid); setInterval(() => {}, 1000)'],
        options: {},
      }),
    );
    await expect.poll(() => /pid:(\d+)/.exec(output)?.[1], { timeout: 10_000 }).toBeDefined();
    const pid = Number(/pid:(\d+)/.exec(output)![1]);
    const folder = folderWith('marker.txt');
    expect(folder).toBeDefined();
    expect(alive(pid)).toBe(true);

    socket.terminate();
    await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => existsSync(folder), { timeout: 10_000 }).toBe(false);
  });
});

describe('a page that stops reading', () => {
  test("does not make the server buffer a process's output: the process waits instead", { timeout: 30_000 }, async () => {
    await noSandboxLeft();
    const socket = new WebSocket(site.url, [PROTOCOL, `${KEY_PROTOCOL_PREFIX}${site.credentials.key}`], { headers: site.credentials.headers });
    await new Promise((resolve) => socket.once('open', resolve));
    const answered = new Map<number, unknown>();
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if ('id' in message) answered.set(message.id, message);
    });
    socket.send(JSON.stringify({ id: 1, op: 'claim', label: 'paused page' }));
    socket.send(JSON.stringify({ id: 2, op: 'mount', tree: { 'flood.txt': '' } }));
    await expect.poll(() => answered.size).toBe(2);
    const folder = folderWith('flood.txt');
    // It counts what it managed to write, in a file the test reads.
    const flood =
      `let n = 0; const chunk = 'x'.repeat(65536); const count = () => require('fs').writeFileSync('written.txt', String(n)); setInterval(count, 100); ` +
      `(function go() { while (process.stdout.write(chunk)) n += chunk.length; n += chunk.length; process.stdout.once('drain', go); })();`;
    socket.send(JSON.stringify({ id: 3, op: 'spawn', processId: 9, command: 'node', args: ['-e', flood], options: {} }));
    try {
      await expect.poll(() => answered.has(3)).toBe(true);
      // The page stops reading: its TCP socket is no longer drained.
      (socket as unknown as { _socket: { pause: () => void } })._socket.pause();
      const written = () => Number(readFileSync(join(folder, 'written.txt'), 'utf8') || 0);
      // Held back: the process comes to wait for 'drain' (what it wrote stops growing for a second),
      // having written at most the buffers on the way (a few MB), not ~120 MB/s until the end.
      let last = -1;
      await expect
        .poll(
          () => {
            if (!existsSync(join(folder, 'written.txt'))) return false;
            const now = written();
            const waiting = now === last;
            last = now;
            return waiting;
          },
          { timeout: 20_000, interval: 1000 },
        )
        .toBe(true);
      expect(last).toBeLessThan(64 * 2 ** 20);
    } finally {
      socket.terminate();
    }
  });
});

describe('ports', () => {
  test('a port counts as ready only when the sandbox itself listens on it, not when an orphan does', { timeout: 30_000 }, async () => {
    // A leftover of an earlier run holds the port.
    const orphan = createTcpServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await new Promise((resolve) => orphan.once('listening', resolve));
    const port = (orphan.address() as AddressInfo).port;
    const runtime = await site.connect();
    const ready: number[] = [];
    runtime.onServerReady((p) => ready.push(p));
    // The shop's collector fails on the taken port; its error names the port.
    const failing = await runtime.spawn('node', ['-e', `console.error("Error: listen EADDRINUSE: address already in use 127.0.0.1:${port}"); process.exit(1)`]);
    await failing.exit;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(ready).not.toContain(port);

    // Once the orphan is gone and the sandbox serves on it, it is ready.
    await new Promise((resolve) => orphan.close(resolve));
    await runtime.spawn('node', [
      '-e',
      `require("http").createServer((q, s) => s.end("ours")).listen(${port}, "127.0.0.1", () => console.log("listening on http://127.0.0.1:${port}"))`,
    ]);
    await expect.poll(() => ready, { timeout: 15_000 }).toContain(port);
    await runtime.teardown();
  });
});

describe('one sandbox per machine: the shop has fixed ports', () => {
  test('a port the shop needs, held by another program: the claim fails naming it, and succeeds once it is free', { timeout: 30_000 }, async () => {
    const other = createTcpServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await new Promise((resolve) => other.once('listening', resolve));
    const port = (other.address() as AddressInfo).port;
    const connect = () => connectLocalRuntime(site.url, { ...site.credentials, ports: [port] });
    // This test's own process plays the other program.
    await expect(connect()).rejects.toMatchObject({
      code: 'port-in-use',
      message: expect.stringContaining(`port ${port}, and another program on this computer listens on it (pid ${process.pid}:`),
    });
    await new Promise((resolve) => other.close(resolve));
    const runtime = await connect();
    await runtime.teardown();
  });

  test('a second tab is told which tab runs the shop, and can take it over', { timeout: 30_000 }, async () => {
    const first = await site.connect('Lesson 2 in the first tab');
    const failures: string[] = [];
    first.onFailure((failure) => failures.push(failure.message));
    const sleeper = await first.spawn('node', ['-e', 'setInterval(() => {}, 1000)']);
    await expect(site.connect('the second tab')).rejects.toMatchObject({
      code: 'busy',
      message: expect.stringMatching(/another tab .*Lesson 2 in the first tab/),
    });

    await takeOverLocalRuntime(site.url, site.credentials);
    expect(await sleeper.exit).not.toBe(0);
    await expect.poll(() => failures.join('\n')).toMatch(/Another tab of this course took over the shop/);
    const second = await site.connect('the second tab');
    expect(await (await second.spawn('node', ['-e', 'console.log("mine now")'])).exit).toBe(0);
    await second.teardown();
  });

  test('a second course server on the same machine says so, and can take over', { timeout: 30_000 }, async () => {
    const sandboxesDir = mkdtempSync(join(scratchDir(), 'ctl-two-servers-'));
    const [one, two] = await Promise.all([startBridge(sandboxesDir), startBridge(sandboxesDir)]);
    try {
      const first = await one.connect('Lesson 5');
      const failures: string[] = [];
      first.onFailure((failure) => failures.push(failure.message));
      // Another course server runs the shop: its processes hold the shop's ports.
      const holder = await first.spawn('node', ['-e', 'console.log("pid:" + process.pid); setInterval(() => {}, 1000)']);
      const pid = Number(/pid:(\d+)/.exec(await firstLine(holder))![1]);
      await expect(two.connect('Lesson 6')).rejects.toMatchObject({
        code: 'busy',
        message: expect.stringContaining(`another course server on this computer, http://127.0.0.1:${new URL(one.url).port}`),
      });

      await takeOverLocalRuntime(two.url, two.credentials);
      expect(alive(pid)).toBe(false);
      await expect.poll(() => failures.join('\n'), { timeout: 5000 }).toMatch(/Another course server on this computer took over the shop/);
      const second = await two.connect('Lesson 6');
      await second.teardown();
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

const firstLine = (process: SandboxProcess) => readUntil(process, /\n/);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a page that reloads takes its sandbox back', () => {
  let kept: TestBridge;
  beforeAll(async () => {
    kept = await startBridge(mkdtempSync(join(scratchDir(), 'ctl-reload-')), { reloadGraceMs: 3000 });
  });
  afterAll(() => kept?.close());
  const connect = (resume?: Claimed | null) => connectLocalRuntime(kept.url, { ...kept.credentials, keepForReload: true, resume });

  test('with its named processes still running, each replaying the end of what it printed; a wrong token takes nothing', { timeout: 60_000 }, async () => {
    const first = await connect();
    expect(first.claimed).toMatchObject({ sandboxId: expect.any(String), token: expect.any(String) });
    const shop = await first.spawn('node', ['-e', 'console.log("printed before the reload"); process.stdin.on("data", (d) => console.log("got " + d))'], {
      name: 'shop',
    });
    await readUntil(shop, /printed before the reload/);
    const [folder] = kept.bridge.sessions();
    first.disconnect();

    const stranger = await connect({ sandboxId: first.claimed!.sandboxId, token: 'not-the-token' }).catch((error: Error) => error);
    // A wrong token gets no sandbox back: it claims a new one, and the one left behind ends.
    expect(stranger).not.toBeInstanceOf(Error);
    expect((stranger as Runtime).resumed ?? null).toBeNull();
    await (stranger as Runtime).teardown();
    expect(existsSync(folder!)).toBe(false);
  });

  test('taken back within the grace period: same folder, same process, its output and its input', { timeout: 60_000 }, async () => {
    const first = await connect();
    const shop = await first.spawn('node', ['-e', 'console.log("printed before the reload"); process.stdin.on("data", (d) => console.log("got " + d))'], {
      name: 'shop',
    });
    await readUntil(shop, /printed before the reload/);
    const [folder] = kept.bridge.sessions();
    first.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 500));

    const again = await connect(first.claimed);
    expect(kept.bridge.sessions()).toEqual([folder]);
    const resumed = again.resumed?.get('shop');
    expect(resumed).toBeDefined();
    resumed!.write('after the reload\n');
    expect(await readUntil(resumed!, /got after the reload/)).toContain('printed before the reload');
    await again.teardown();
  });

  test('not taken back, it ends once the grace period is over', { timeout: 60_000 }, async () => {
    const first = await connect();
    const [folder] = kept.bridge.sessions();
    first.disconnect();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(existsSync(folder!)).toBe(true);
    await expect.poll(() => existsSync(folder!), { timeout: 15_000 }).toBe(false);
  });
});
