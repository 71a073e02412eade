/**
 * The runner that runs a learner's own test file for lessons 7 and 8's Checks
 * (content/checks-support/test-file-runner.mjs), on the sandbox's own Vitest: kept warm in the check
 * server and asked over loopback HTTP, it answers only its own processes (the token), survives bad
 * requests, and stops a run the Check gave up on, a test stuck in a loop included; run once without
 * the check server, it answers the same.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { storefrontDir } from '../../src/lessons/sandbox-files.ts';

const SUPPORT = new URL('../../content/checks-support/', import.meta.url);
const TESTS: Record<string, string> = {
  'adds.test.ts': `import { expect, test } from 'vitest';\ntest('adds', () => expect(1 + 1).toBe(2));\ntest('subtracts', () => expect(2 - 1).toBe(2));`,
  'loops.test.ts': `import { test } from 'vitest';\ntest('spins', () => { while (true) {} });`,
};
/** Two versions of the shop, neither swapping a file: the same test runs twice. */
const request = (file: string) => ({
  path: `tests/${file}`,
  versions: [
    { name: 'first', swapFrom: 'course-checks/storefront', files: [] },
    { name: 'second', swapFrom: 'course-checks/storefront', files: [] },
  ],
  testTimeout: 5000,
});
const ADDS = {
  tests: [
    { name: 'adds', status: 'passed', failures: [] },
    { name: 'subtracts', status: 'failed' },
  ],
};

let folder: string;
let server: ChildProcess;
let where: { url: string; token: string };

beforeAll(async () => {
  // Inside the sandbox folder, so the runner finds the sandbox's Vitest as it does in a sandbox.
  mkdirSync(join(storefrontDir, 'test-results'), { recursive: true });
  folder = mkdtempSync(join(storefrontDir, 'test-results', 'test-file-runner-'));
  mkdirSync(join(folder, 'course-checks'));
  mkdirSync(join(folder, 'tests'));
  for (const name of ['test-file-runner.mjs', 'test-file.vitest.config.mjs']) copyFileSync(new URL(name, SUPPORT), join(folder, 'course-checks', name));
  for (const [name, text] of Object.entries(TESTS)) writeFileSync(join(folder, 'tests', name), text);
  writeFileSync(
    join(folder, 'serve.mjs'),
    `import { serveTestFiles } from './course-checks/test-file-runner.mjs';
await serveTestFiles();
console.log(JSON.stringify({ url: process.env.COURSE_TEST_FILE_SERVER, token: process.env.COURSE_TEST_FILE_TOKEN }));
process.stdin.on('end', () => process.exit(0)).resume();`,
  );
  server = spawn(process.execPath, ['serve.mjs'], { cwd: folder, stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await createInterface({ input: server.stdout! })
    [Symbol.asyncIterator]()
    .next()
    .then((next) => [next.value as string]);
  where = JSON.parse(line!);
}, 60_000);

afterAll(() => {
  for (const { pid } of server ? workers() : []) process.kill(pid, 'SIGKILL');
  server?.kill('SIGKILL');
  rmSync(folder, { recursive: true, force: true });
});

/** POSTs `body` to the runner; aborting `signal` hangs up, as a Check that ran out of time does. */
function ask(body: string, { token = where.token, signal }: { token?: string; signal?: AbortSignal } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const asked = httpRequest(where.url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: text }));
    });
    asked.on('error', reject);
    asked.end(body);
  });
}

/** The runner's Vitest's workers (its other child is esbuild's service), with the CPU seconds each has used. */
function workers(): { pid: number; cpuSeconds: number }[] {
  return readdirSync('/proc')
    .filter((pid) => /^\d+$/.test(pid))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (fields[1] !== String(server.pid) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workers/forks.js')) return [];
        return [{ pid: Number(pid), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 }];
      } catch {
        return [];
      }
    });
}

test('it answers only who holds its token, and a malformed request (or bytes that are not HTTP) gets a 400, not a crash', async () => {
  expect((await ask(JSON.stringify(request('adds.test.ts')), { token: '' })).status).toBe(403);
  expect((await ask(JSON.stringify(request('adds.test.ts')), { token: 'ab'.repeat(32) })).status).toBe(403);
  expect(await ask('{"path": 1')).toMatchObject({ status: 400, body: expect.stringContaining('Not a test file request') });
  // Not HTTP at all, from a raw socket: Node's parser answers 400 and closes it.
  const { port } = new URL(where.url);
  const raw = await new Promise<string>((resolve, reject) => {
    let text = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.end('\u0000\u00ff GARBAGE \r\n\r\n'));
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  expect(raw).toMatch(/^HTTP\/1\.1 400/);
  expect((await ask(JSON.stringify({ path: 'tests/adds.test.ts' }))).status).toBe(400);
  const answer = await ask(JSON.stringify(request('adds.test.ts')));
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toMatchObject({ first: ADDS, second: ADDS });
});

test('a test stuck in a loop: when the Check hangs up, its workers are stopped, and the next request runs', { timeout: 120_000 }, async () => {
  const hangUp = new AbortController();
  const asking = ask(JSON.stringify(request('loops.test.ts')), { signal: hangUp.signal });
  // Both in the loop: a worker that has not reached it yet would still stop when asked politely.
  const spinning = () => workers().filter((worker) => worker.cpuSeconds >= 2).length;
  await expect.poll(spinning, { timeout: 60_000, message: 'the looping test spins in two workers' }).toBe(2);
  hangUp.abort();
  await expect(asking).rejects.toThrow(/abort/);
  await expect.poll(workers, { timeout: 20_000 }).toEqual([]);
  const answer = await ask(JSON.stringify(request('adds.test.ts')));
  expect(JSON.parse(answer.body)).toMatchObject({ first: ADDS, second: ADDS });
});

test('run once, without the check server, it answers the same', { timeout: 60_000 }, () => {
  const run = spawnSync(process.execPath, ['course-checks/test-file-runner.mjs', 'report.json'], {
    cwd: folder,
    env: { ...process.env, COURSE_TEST_FILE_REQUEST: JSON.stringify(request('adds.test.ts')) },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8'))).toMatchObject({ first: ADDS, second: ADDS });
});
