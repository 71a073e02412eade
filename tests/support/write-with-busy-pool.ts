/**
 * Writes `App.tsx` in a sandbox folder with the course's own write, once per text given, while the
 * thread pool (where file operations run) is as busy as a loaded course server's can be. Run with
 * UV_THREADPOOL_SIZE=1: its one thread is held by opening a named pipe no one writes to yet, and let
 * go every 250 ms, with the next hold queued first: each operation waits its turn, and nothing
 * spends CPU meanwhile.
 *   UV_THREADPOOL_SIZE=1 node tests/support/write-with-busy-pool.ts <folder> <text>...
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, open, openSync } from 'node:fs';
import { join } from 'node:path';
import { writeInside } from '../../src/runtime/local/confine.ts';

const [folder, ...texts] = process.argv.slice(2) as [string, ...string[]];
let made = 0;
const newPipe = () => {
  const path = join(folder, `.pipe-${made++}`);
  execFileSync('mkfifo', [path]);
  return path;
};
const hold = (path: string) => open(path, 'r', (error, fd) => !error && closeSync(fd));
const letGo = (path: string) => closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));

let held = newPipe();
hold(held);
let writing = true;
const turns = setInterval(() => {
  const next = newPipe();
  if (writing) hold(next);
  letGo(held);
  held = next;
}, 250);
for (const text of texts) await writeInside(folder, 'App.tsx', text);
writing = false;
clearInterval(turns);
letGo(held);
