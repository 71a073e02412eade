import { expect, test } from 'vitest';
import { connectLocalRuntime } from '../../src/runtime/local/client.ts';
import { startSite } from '../support/site-server.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('stopping the course server (Ctrl-C) ends every sandbox process it started', async () => {
  const site = await startSite();
  const html = await (await fetch(`${site.url}/lessons/01-meet-the-storefront/`)).text();
  const token = /name="ctl-local-runtime" content="([0-9a-f]+)"/.exec(html)![1]!;
  const runtime = await connectLocalRuntime(`${site.url.replace('http', 'ws')}/__runtime`, token);
  await runtime.mount({ 'keep.js': 'console.log("pid:" + process.pid); setInterval(() => {}, 1000);' });
  const child = await runtime.spawn('node', ['keep.js']);
  const reader = child.output.getReader();
  let text = '';
  while (!/pid:\d+/.test(text)) text += (await reader.read()).value ?? '';
  const pid = Number(/pid:(\d+)/.exec(text)![1]);
  expect(alive(pid)).toBe(true);

  site.process.kill('SIGINT');
  await expect.poll(() => alive(pid), { timeout: 10_000 }).toBe(false);
  await site.stop();
});
