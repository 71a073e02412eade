/**
 * The shop on the browser's path, as one suite any runtime runs: the local runtime here (the
 * strict stand-in: the very snapshot the browser mounts, written with no file modes and no
 * symlinks, no native addons, neither ESM loader-hook API, a kill() that ends only the process it
 * is given), and real WebContainers wherever StackBlitz's service is reachable. With lesson 8's
 * solution (the whole course solved): the probe, the shop serving, `npm test`, `npm run
 * shoppers`, a backend save, Restart, and a Check. Requests to the shop are made from inside the
 * sandbox, as a WebContainer's ports are reachable from nowhere else.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runChecks } from '../../src/lessons/run-checks.ts';
import { lessonIds, lessonSandbox, type LessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { readAll } from '../../src/runtime/process-output.ts';
import type { PackagesSnapshot, Runtime } from '../../src/runtime/types.ts';
import { BACKEND_URL, FRONTEND_URL } from '../../src/sandbox/shop.ts';
import { prepareSandbox, probeSandbox, startShop, type BootCallbacks, type RunningShop } from '../../src/session/boot.ts';
import { backendSettled, LessonFiles } from '../support/lesson-sandbox.ts';

export async function run(runtime: Runtime, command: string, args: string[]) {
  const process = await runtime.spawn(command, args);
  const [output, code] = await Promise.all([readAll(process), process.exit]);
  return { output, code };
}

/** A GET from inside the sandbox: its body, or the error. */
export async function fetchInSandbox(runtime: Runtime, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(10000) }).then((r) => r.text()).then((t) => process.stdout.write(t), (e) => process.stdout.write('fetch failed: ' + e.message))`;
  return (await run(runtime, 'node', ['-e', script])).output;
}

export function describeBrowserPath(name: string, makeRuntime: () => Promise<Runtime>, packages: () => Promise<PackagesSnapshot>) {
  describe(`the whole course solved, on ${name}`, () => {
    let runtime: Runtime;
    let shop: RunningShop;
    let sandbox: LessonSandbox;
    let files: Record<string, string>;
    const callbacks: BootCallbacks = { onProgress: () => {}, onOutput: () => {} };

    beforeAll(async () => {
      sandbox = await lessonSandbox(lessonIds().find((id) => id.startsWith('08-'))!);
      files = { ...sandbox.start, ...sandbox.solution };
      runtime = await makeRuntime();
      await prepareSandbox(runtime, files, await packages(), callbacks);
      shop = await startShop(runtime, callbacks);
    }, 300_000);
    afterAll(() => runtime?.teardown());

    test('the probe finds everything the shop relies on', { timeout: 30_000 }, async () => {
      const report = await probeSandbox(runtime);
      for (const needed of ['httpServerChannel', 'tracingChannel', 'sourceMaps', 'fileWatch', 'commands']) {
        expect(report?.capabilities[needed], needed).toEqual({ ok: true });
      }
    });

    test('the shop serves, its frontend proxying to its backend', { timeout: 30_000 }, async () => {
      expect(JSON.parse(await fetchInSandbox(runtime, `${FRONTEND_URL}/api/products?in_stock_only=true`)).length).toBeGreaterThan(0);
    });

    test("`npm test` runs the shop's own tests, green", { timeout: 120_000 }, async () => {
      const { output, code } = await run(runtime, 'npm', ['test']);
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toMatch(/Tests\s+.*\d+ passed/);
    });

    test('`npm run shoppers` plays shoppers through the shop', { timeout: 120_000 }, async () => {
      const { output, code } = await run(runtime, 'npm', ['run', 'shoppers', '--', '--count', '2', '--rate', '600']);
      expect(code, output.slice(-3000)).toBe(0);
      expect(output).toMatch(/shopper 1: ordered \d+ items?/);
      expect(output).toMatch(/shopper 2: ordered \d+ items?/);
    });

    test("lesson 8's Check passes on its solution", { timeout: 120_000 }, async () => {
      const checked = await runChecks(runtime, sandbox.checks);
      expect(checked.passed, JSON.stringify(checked.results, null, 2)).toBe(true);
    });

    test('a backend save is rebuilt and served', { timeout: 60_000 }, async () => {
      const changed = {
        ...files,
        'backend/src/app.ts': files['backend/src/app.ts']!.replace('res.json({ ok: true });', "res.json({ ok: true, saved: 'just now' });"),
      };
      expect(changed['backend/src/app.ts']).not.toBe(files['backend/src/app.ts']);
      await new LessonFiles(runtime, files).become(changed);
      files = changed;
      expect(await fetchInSandbox(runtime, `${BACKEND_URL}/health`)).toContain('just now');
    });

    test('Restart: the shop, stopped by a kill of its own process only, comes back on the same ports', { timeout: 120_000 }, async () => {
      shop.devServer.kill();
      await shop.devServer.exit;
      shop = await startShop(runtime, callbacks);
      expect(await fetchInSandbox(runtime, FRONTEND_URL)).toContain('<div id="root">');
      await backendSettled(runtime, files);
      expect(await fetchInSandbox(runtime, `${BACKEND_URL}/health`)).toContain('just now');
    });
  });
}
