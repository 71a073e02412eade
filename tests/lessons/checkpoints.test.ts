/**
 * CI's proof, for every lesson: its checkpoint tests fail on the lesson's starting code (when the
 * lesson asks for a change) and pass on its solution. Each lesson runs in a real sandbox on the
 * local runtime, with the real shop running, exactly as the workspace's "Check" runs it.
 */
import { createServer, type Server } from 'node:http';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { attachLocalRuntime, createLaunchToken, type LocalRuntimeBridge } from '../../src/runtime/local/bridge.ts';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { fileMapToTree } from '../../src/runtime/sandbox-path.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { runChecks, type CheckRun } from '../../src/lessons/run-checks.ts';

const token = createLaunchToken();
let server: Server;
let bridge: LocalRuntimeBridge;
let url: string;

beforeAll(async () => {
  server = createServer();
  bridge = attachLocalRuntime(server, { token, allowedOrigins: [] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/__runtime`;
});
afterAll(async () => {
  await bridge.close();
  server.close();
});

/** Reads a process's output until every pattern has shown up, then keeps draining it. */
async function waitForAll(process: Awaited<ReturnType<Runtime['spawn']>>, patterns: RegExp[], timeoutMs: number) {
  let text = '';
  const reader = process.output.getReader();
  const deadline = Date.now() + timeoutMs;
  // Vite colours its banner: match on the text without terminal escape codes.
  while (!patterns.every((pattern) => pattern.test(text.replace(/\x1b\[[0-9;]*m/g, '')))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${patterns.join(', ')}:\n${text.slice(-3000)}`);
    const { done, value } = await reader.read();
    if (done) throw new Error(`process ended early:\n${text.slice(-3000)}`);
    text += value;
  }
  void (async () => {
    while (!(await reader.read()).done);
  })();
}

/** Boots the shop for a lesson the way the workspace does: mount, install, `npm run dev`. */
async function bootLesson(files: Record<string, string>): Promise<Runtime> {
  const runtime = await connectLocalRuntime(url, token);
  await runtime.mount(fileMapToTree(files));
  const install = await runtime.spawn('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline']);
  void (async () => {
    const reader = install.output.getReader();
    while (!(await reader.read()).done);
  })();
  expect(await install.exit).toBe(0);
  const dev = await runtime.spawn('npm', ['run', 'dev']);
  await waitForAll(dev, [/Backend listening/, /Local:/, /Collector listening/], 60_000);
  return runtime;
}

const describeResults = (run: CheckRun) => run.results.map((r) => `${r.status}: ${r.name}${r.message ? ` — ${r.message}` : ''}`).join('\n');
const lessons = readdirSync(new URL('../../content/lessons/', import.meta.url)).filter((name) => /^\d\d-/.test(name)).sort();

describe.each(lessons)('lesson %s', (lessonId) => {
  test('its checkpoints fail on the starting code and pass on the solution', { timeout: 240_000 }, async () => {
    const sandbox = await lessonSandbox(lessonId);
    expect(Object.keys(sandbox.checks).some((path) => path.endsWith('.test.ts')), 'every lesson has checkpoint tests').toBe(true);
    const runtime = await bootLesson(sandbox.start);
    try {
      const atStart = await runChecks(runtime, sandbox.checks);
      const changes = Object.keys(sandbox.solution).length > 0;
      if (changes) {
        expect(atStart.passed, `the checks should fail on lesson ${lessonId}'s starting code:\n${describeResults(atStart)}`).toBe(false);
        expect(atStart.results.some((r) => r.status === 'failed' && r.message)).toBe(true);
        for (const [path, contents] of Object.entries(sandbox.solution)) await runtime.writeFile(path, contents);
        await new Promise((resolve) => setTimeout(resolve, 2500)); // tsx watch restarts the backend
      }
      const solved = changes ? await runChecks(runtime, sandbox.checks) : atStart;
      expect(solved.passed, `the checks should pass on lesson ${lessonId}'s solution:\n${describeResults(solved)}\n${solved.output.slice(-1500)}`).toBe(true);
      console.log(`${lessonId}: checks ${changes ? `${atStart.durationMs} ms (start), ` : ''}${solved.durationMs} ms (solution)`);
    } finally {
      await runtime.teardown();
    }
  });
});
