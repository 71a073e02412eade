/**
 * A file the course writes into the sandbox (a save in the editor, Reset, a lesson's files) is never
 * seen empty by the sandbox's watchers for longer than they wait, however busy the course server's
 * thread pool is. Vite reads a file on its first change event and, finding it empty, waits up to
 * 100 ms for the rest: longer, and it served an empty module ("does not provide an export named
 * 'App'"), and the preview stopped updating.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'ctl-sandbox-writes-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** As Vite reads a changed file: at once, and while it is empty, again every 10 ms for 100 ms. */
const WATCHER = `
  const { watch, readFileSync } = require('node:fs');
  const file = process.argv[1];
  const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  watch(file, () => {
    let text = readFileSync(file, 'utf8');
    for (let tries = 0; !text && tries < 10; tries++) { sleep(10); text = readFileSync(file, 'utf8'); }
    console.log(JSON.stringify(text));
  });
  console.log('watching');
`;

test("a save is never seen empty for longer than Vite waits, with the server's thread pool busy", { timeout: 60_000 }, async () => {
  const file = join(folder, 'App.tsx');
  writeFileSync(file, 'export function App() { return "read traces"; }\n');
  const watcher = spawn(process.execPath, ['-e', WATCHER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  watcher.stdout.setEncoding('utf8').on('data', (chunk: string) => (seen += chunk));
  try {
    await expect.poll(() => seen, { timeout: 10_000 }).toContain('watching');
    const saves = ['export function App() { return "love traces"; }\n', 'export function App() { return "read traces!"; }\n'];
    const writer = spawnSync(process.execPath, [fileURLToPath(new URL('../support/write-with-busy-pool.ts', import.meta.url)), folder, ...saves], {
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      encoding: 'utf8',
    });
    expect(writer.status, writer.stderr).toBe(0);
    await expect.poll(() => seen, { timeout: 10_000 }).toContain(JSON.stringify(saves[1]));
    const reads = seen
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string);
    expect(
      reads.filter((text) => text === ''),
      `what the watcher read: ${JSON.stringify(reads)}`,
    ).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe(saves[1]);
  } finally {
    watcher.kill();
  }
});
