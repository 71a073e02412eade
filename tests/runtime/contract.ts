/**
 * The Runtime contract, as one suite any implementation runs: the local runtime here in CI, and
 * WebContainers wherever StackBlitz's service is reachable. Only the Runtime interface is used.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readAll as collect, readUntil as waitForOutput } from '../../src/runtime/process-output.ts';
import type { PackagesSnapshot, Runtime } from '../../src/runtime/types.ts';

export function describeRuntimeContract(name: string, makeRuntime: () => Promise<Runtime>, packages: () => Promise<PackagesSnapshot>) {
  describe(`Runtime contract: ${name}`, () => {
    let runtime: Runtime;
    beforeAll(async () => {
      runtime = await makeRuntime();
      await runtime.mount({ 'hello.txt': 'hello', src: { 'app.js': 'console.log("app")', nested: { 'deep.txt': 'deep' } } });
    });
    afterAll(() => runtime?.teardown());

    test('mount writes the tree; readFile and readdir see it', async () => {
      expect(await runtime.readFile('hello.txt')).toBe('hello');
      expect(await runtime.readFile('src/nested/deep.txt')).toBe('deep');
      const entries = await runtime.readdir('src');
      expect(entries).toEqual(
        expect.arrayContaining([
          { name: 'app.js', kind: 'file' },
          { name: 'nested', kind: 'directory' },
        ]),
      );
    });

    test('writeFile creates folders as needed; rm removes', async () => {
      await runtime.writeFile('made/on/the/way.txt', 'új ✓');
      expect(await runtime.readFile('made/on/the/way.txt')).toBe('új ✓');
      await runtime.rm('made');
      await expect(runtime.readFile('made/on/the/way.txt')).rejects.toMatchObject({ code: 'not-found' });
    });

    test('watch reports a write inside the watched folder', async () => {
      const changes: string[] = [];
      const stop = runtime.watch('src', (change) => changes.push(change.path));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await runtime.writeFile('src/app.js', 'console.log("changed")');
      await expect.poll(() => changes, { timeout: 5000 }).toContain('src/app.js');
      stop();
    });

    test('spawn streams output and reports the exit code', async () => {
      const process = await runtime.spawn('node', ['-e', 'console.log("out"); console.error("err"); process.exit(3)']);
      const [text, code] = await Promise.all([collect(process), process.exit]);
      expect(text).toContain('out');
      expect(text).toContain('err');
      expect(code).toBe(3);
    });

    test('spawn runs in the sandbox folder and in cwd', async () => {
      const process = await runtime.spawn('node', ['-e', 'console.log(require("fs").readFileSync("deep.txt", "utf8"))'], { cwd: 'src/nested' });
      expect(await collect(process)).toContain('deep');
    });

    test('input written to a process reaches its stdin', async () => {
      const process = await runtime.spawn('node', ['-e', 'process.stdin.on("data", (d) => { console.log("got:" + String(d).trim()); process.exit(0) })']);
      process.write('ping\n');
      expect(await waitForOutput(process, /got:ping/)).toContain('got:ping');
      expect(await process.exit).toBe(0);
    });

    test("the learner's shell runs what is typed", async () => {
      const shell = await runtime.openShell({ cols: 80, rows: 24 });
      shell.write('echo $((6 * 7))\n');
      expect(await waitForOutput(shell, /42/)).toMatch(/42/);
      shell.resize({ cols: 100, rows: 30 });
      shell.write('exit\n');
      await shell.exit;
    });

    test('a process that starts serving HTTP is reported with a URL that answers', async () => {
      const ready = new Promise<{ port: number; url: string }>((resolve) => {
        const stop = runtime.onServerReady((port, url) => {
          if (port !== 47_123) return;
          stop();
          resolve({ port, url });
        });
      });
      await runtime.spawn('node', [
        '-e',
        'require("http").createServer((q, s) => s.end("served")).listen(47123, "127.0.0.1", () => console.log("listening on http://127.0.0.1:47123"))',
      ]);
      const { url } = await ready;
      const response = await fetch(url);
      expect(await response.text()).toBe('served');
    });

    test('kill ends a process', async () => {
      const process = await runtime.spawn('node', ['-e', 'setInterval(() => {}, 1000)']);
      process.kill();
      expect(typeof (await process.exit)).toBe('number');
    });

    test("mountSnapshot puts the shop's packages in; their commands run as `node <file>`, and from .bin once marked executable", {
      timeout: 60_000,
    }, async () => {
      const fractions: number[] = [];
      await runtime.mountSnapshot(await packages(), (fraction) => fractions.push(fraction));
      expect(fractions.at(-1)).toBe(1);
      expect(JSON.parse(await runtime.readFile('node_modules/express/package.json')).name).toBe('express');
      const direct = await runtime.spawn('node', ['node_modules/vite/bin/vite.js', '--version']);
      expect(await collect(direct)).toMatch(/vite\/\d/);
      // .bin holds scripts, not symlinks, and a mount keeps no file modes: the shop's after-mount step marks them (as here).
      const mark = await runtime.spawn('node', ['-e', 'require("fs").chmodSync("node_modules/.bin/vite", 0o755)']);
      expect(await mark.exit).toBe(0);
      await runtime.writeFile('package.json', JSON.stringify({ name: 'contract', private: true, scripts: { version: 'vite --version' } }));
      const vite = await runtime.spawn('npm', ['run', '--silent', 'version']);
      const [text, code] = await Promise.all([collect(vite), vite.exit]);
      expect(text).toMatch(/vite\/\d/);
      expect(code).toBe(0);
      await expect(runtime.mountSnapshot(await packages())).rejects.toThrow(/already/);
    });

    test.each([['../outside.txt'], ['/etc/passwd'], ['src/../../x'], ['a\0b']])('refuses the path %j', async (path) => {
      await expect(runtime.readFile(path)).rejects.toMatchObject({ code: 'path-outside-sandbox' });
      await expect(runtime.writeFile(path, 'x')).rejects.toMatchObject({ code: 'path-outside-sandbox' });
    });
  });
}
