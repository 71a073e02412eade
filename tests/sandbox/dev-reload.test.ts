/**
 * The learner's loop depends on this: a save reaches the running shop at any moment after it has
 * started. The shop's own `npm run dev` (scripts/dev.mjs: run-ts.mjs for the backend, Vite for the
 * frontend) runs in a copy of the sandbox on free ports; each file is saved the instant its part
 * says it is ready (a watcher that starts late misses exactly those saves), and the backend gets a
 * second save that replaces the file, as `sed -i` or an editor's safe write does (a watcher that
 * follows files rather than folders misses the save after it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { lessonSandbox, storefrontDir } from '../../src/lessons/sandbox-files.ts';
import { BACKEND, sourcesMatch, statusFile, type PartStatus } from '../../src/sandbox/shop.ts';

/**
 * Ports free right now, all different: each is held until all are found (a port closed and asked
 * for again can come back, about one time in a thousand in a fresh network namespace).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Hard links, as the local runtime's package cache does: a full node_modules in a second. */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.name === '.vite') continue;
    const [source, target] = [join(from, entry.name), join(to, entry.name)];
    if (entry.isDirectory()) await linkTree(source, target);
    else if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else await link(source, target);
  }
}

let folder: string;
let dev: ChildProcess;
let output = '';
const ports = { backend: 0, frontend: 0, collector: 0 };
let start: Record<string, string>;

/** Resolves the moment a line matching `pattern` shows up in the shop's output, with `then`'s result. */
function whenPrinted<T>(pattern: RegExp, then: () => T): Promise<Awaited<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in 120 s:\n${output.slice(-2000)}`)), 120_000);
    const onData = () => {
      if (!pattern.test(output.replace(/\x1b\[[0-9;]*m/g, ''))) return;
      dev.stdout!.off('data', onData);
      clearTimeout(timer);
      Promise.resolve(then()).then(resolve, reject);
    };
    dev.stdout!.on('data', onData);
  });
}

let backendSaved: Promise<void>;
let frontendSaved: Promise<string>;
const frontendModule = () => fetch(`http://127.0.0.1:${ports.frontend}/src/api.ts`).then((r) => r.text());

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ctl-dev-reload-'));
  ({ start } = await lessonSandbox('01-meet-the-storefront'));
  for (const [path, contents] of Object.entries(start)) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), contents);
  }
  await linkTree(join(storefrontDir, 'node_modules'), join(folder, 'node_modules'));
  [ports.backend, ports.frontend, ports.collector] = await freePorts(3);
  dev = spawn(process.execPath, ['scripts/dev.mjs'], {
    cwd: folder,
    env: {
      ...process.env,
      BACKEND_PORT: String(ports.backend),
      FRONTEND_PORT: String(ports.frontend),
      COLLECTOR_PORT: String(ports.collector),
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  dev.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  dev.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // The saves happen in the output handler itself: no await between the ready line and the write.
  backendSaved = whenPrinted(/Backend listening/, () => writeFileSync(join(folder, 'backend/src/app.ts'), appSaying('right after start')));
  frontendSaved = whenPrinted(/Local:/, async () => {
    // Served once first, so Vite holds it in its module graph: only its watcher can make it fresh.
    const served = await frontendModule();
    writeFileSync(join(folder, 'frontend/src/api.ts'), `${start['frontend/src/api.ts']}\nexport const savedRightAfterStart = true;\n`);
    return served;
  });
}, 120_000);

afterAll(async () => {
  if (dev?.pid) process.kill(-dev.pid, 'SIGKILL');
  if (folder) await rm(folder, { recursive: true, force: true });
});

/**
 * Resolves once the backend reports that it runs `app` as backend/src/app.ts (its status, as the
 * course reads it), however busy the machine; the ceiling is only for a backend that never does.
 */
async function backendRuns(app: string, timeoutMs = 60_000): Promise<PartStatus | null> {
  const files = Object.fromEntries(Object.entries(start).filter(([path]) => path.startsWith('backend/')));
  files['backend/src/app.ts'] = app;
  const deadline = Date.now() + timeoutMs;
  let status: PartStatus | null = null;
  while (Date.now() < deadline) {
    status = await readFile(join(folder, statusFile(BACKEND)), 'utf8').then(
      (text) => JSON.parse(text) as PartStatus,
      () => null,
    );
    if (status?.state === 'ready' && sourcesMatch(status, files)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return status;
}

/** Polls until what `read` returns holds `marker`; the ceiling is generous, for a busy machine. */
async function eventually(read: () => Promise<string>, marker: string, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await read().catch((error: Error) => error.message);
    if (last.includes(marker)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}

const health = () => fetch(`http://127.0.0.1:${ports.backend}/health`).then((r) => r.text());
const appSaying = (marker: string) => start['backend/src/app.ts']!.replace('res.json({ ok: true });', `res.json({ ok: true, saved: '${marker}' });`);

test('a backend save made the instant the backend listens restarts it with the change', { timeout: 90_000 }, async () => {
  await backendSaved;
  expect(await backendRuns(appSaying('right after start')), `the backend never ran the saved app.ts:\n${output.slice(-1500)}`).toMatchObject({
    state: 'ready',
  });
  expect(await health()).toContain('right after start');
});

test("after a save that replaces the file (sed -i, an editor's safe write), the next save is seen too", { timeout: 150_000 }, async () => {
  await backendSaved;
  const app = join(folder, 'backend/src/app.ts');
  writeFileSync(`${app}.tmp`, appSaying('replaced'));
  renameSync(`${app}.tmp`, app);
  expect(await backendRuns(appSaying('replaced')), `the backend missed a save that replaced the file:\n${output.slice(-1500)}`).toMatchObject({
    state: 'ready',
  });
  expect(await health()).toContain('replaced');
  writeFileSync(app, appSaying('then written in place'));
  expect(await backendRuns(appSaying('then written in place')), `the backend missed the save after a replaced file:\n${output.slice(-1500)}`).toMatchObject({
    state: 'ready',
  });
  expect(await health()).toContain('then written in place');
});

test('a frontend save made the instant Vite is ready reaches the modules it serves', { timeout: 90_000 }, async () => {
  expect(await frontendSaved).toContain('getProducts');
  expect(await eventually(frontendModule, 'savedRightAfterStart'), `Vite kept serving the old api.ts:\n${output.slice(-1500)}`).toContain(
    'savedRightAfterStart',
  );
});
