/**
 * `npm run dev` (sandboxes/storefront/scripts/dev.mjs) labels every part's output line by line.
 * The collector prints each envelope as one line of up to ~27 MB: it must come through whole and
 * fast, and the other parts' logs must not stall behind it. The parts here are stand-ins at the
 * paths dev.mjs starts (the real script, real processes, real pipes).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';

const devScript = new URL('../../sandboxes/storefront/scripts/dev.mjs', import.meta.url).pathname;
const LONG = 19 * 1024 * 1024;

function fakeShop(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctl-dev-script-'));
  const part = (path: string, code: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), code);
  };
  // The backend prints one 19 MB line, then a short one.
  part('scripts/run-ts.mjs', `process.stdout.write('<' + 'x'.repeat(${LONG}) + '>\\n', () => console.log('backend done')); setInterval(() => {}, 1000);`);
  // The frontend keeps logging meanwhile.
  part('scripts/frontend.mjs', `let n = 0; setInterval(() => console.log('frontend tick ' + n++), 50);`);
  part('collector/server.mjs', `console.log('collector up'); setInterval(() => {}, 1000);`);
  return dir;
}

test('a 19 MB line comes through whole and fast (linear work, not quadratic), and other parts keep logging', { timeout: 30_000 }, async () => {
  const child = spawn(process.execPath, [devScript], { cwd: fakeShop(), env: { ...process.env, FORCE_COLOR: '' } });
  const pieces: string[] = [];
  let seen = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    pieces.push(chunk);
    seen = (seen + chunk.slice(-4096)).slice(-4096);
  });
  const started = Date.now();
  await expect.poll(() => seen.includes('backend done'), { timeout: 20_000, interval: 50 }).toBe(true);
  const elapsed = Date.now() - started;
  child.kill('SIGTERM');
  const lines = pieces.join('').split('\n');
  const long = lines.find((line) => line.includes('<x'))!;
  expect(long).toMatch(/^\[backend\] +<x+>$/);
  expect(long.length).toBe(LONG + 2 + '[backend]   '.length);
  // The frontend's ticks came out as whole lines, before and after, never inside the long one.
  expect(lines.filter((line) => /^\[frontend\] +frontend tick \d+$/.test(line)).length).toBeGreaterThan(0);
  console.log(`dev.mjs passed a ${LONG / 2 ** 20} MB line through in ${elapsed} ms`);
  expect(elapsed).toBeLessThan(5000);
});
