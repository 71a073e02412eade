/**
 * Nothing lingers: the sandbox's processes end with the course server, however it ends — Ctrl-C,
 * SIGKILL, or a death so sudden that even its guardian went with it (then the next start reaps).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { startSite, type RunningSite } from '../support/site-server.ts';
import { readUntil } from '../../src/runtime/process-output.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * What the shop does: a process that starts others, one of them in a session of its own (as a pty
 * does) and listening on a port. Resolves with every pid involved and the sandbox's folder.
 */
async function startShopLike(site: RunningSite): Promise<{ runtime: Runtime; pids: number[]; folder: string }> {
  const runtime = await connectLocalRuntime(site.runtimeUrl, site.credentials);
  await runtime.mount({
    'server.js': 'require("http").createServer((q, s) => s.end("up")).listen(0, "127.0.0.1"); console.log("pid:" + process.pid); setInterval(() => {}, 1000);',
    'parent.js': `const { spawn } = require('child_process');
      spawn(process.execPath, ['server.js'], { stdio: 'inherit' });
      spawn(process.execPath, ['server.js'], { stdio: 'inherit', detached: true });
      console.log('pid:' + process.pid); setInterval(() => {}, 1000);`,
  });
  const parent = await runtime.spawn('node', ['parent.js']);
  const text = await readUntil(parent, /(pid:\d+[\s\S]*){3}/);
  const pids = [...text.matchAll(/pid:(\d+)/g)].map((match) => Number(match[1]));
  const folder = readdirSync(site.sandboxesDir)
    .filter((name) => name.startsWith('ctl-sandbox-'))
    .map((name) => join(site.sandboxesDir, name))[0]!;
  expect(pids.every(alive)).toBe(true);
  return { runtime, pids, folder };
}

/** The guardian the server started for this sandboxes folder. */
function guardianOf(sandboxesDir: string): number {
  const pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  const found = pids.find((pid) => {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return cmdline.some((arg) => arg.endsWith('guardian.ts')) && cmdline.includes(sandboxesDir);
    } catch {
      return false;
    }
  });
  if (!found) throw new Error('no guardian found');
  return Number(found);
}

test('stopping the course server (Ctrl-C) ends every sandbox process it started', async () => {
  const site = await startSite();
  const { pids, folder } = await startShopLike(site);
  site.process.kill('SIGINT');
  await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
  await expect.poll(() => existsSync(folder), { timeout: 10_000 }).toBe(false);
  await site.stop();
});

test('SIGKILL of the course server still ends every sandbox process, frees their ports and removes the folder', async () => {
  const site = await startSite();
  const { pids, folder } = await startShopLike(site);
  site.process.kill('SIGKILL');
  await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
  await expect.poll(() => existsSync(folder), { timeout: 10_000 }).toBe(false);
});

test('when the server and its guardian both die at once, the next start reaps what they left', async () => {
  const sandboxesDir = mkdtempSync(join(scratchDir(), 'ctl-reap-'));
  const first = await startSite({ CTL_SANDBOXES_DIR: sandboxesDir });
  const { pids, folder } = await startShopLike(first);
  process.kill(guardianOf(sandboxesDir), 'SIGKILL');
  first.process.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  // Orphans: nothing is left to end them…
  expect(pids.every(alive)).toBe(true);

  // …until the course starts again.
  const second = await startSite({ CTL_SANDBOXES_DIR: sandboxesDir });
  await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
  await expect.poll(() => existsSync(folder), { timeout: 10_000 }).toBe(false);
  expect(second.output()).toMatch(/removed 1 sandbox\(es\) left by a course server that did not stop cleanly/);
  await second.stop();
});
