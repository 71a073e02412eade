/**
 * The browser's path on the local runtime, the strict stand-in for a WebContainer (the suite is
 * in browser-path.ts; tests/browser/webcontainer-contract.test.ts runs it on real WebContainers
 * where StackBlitz's service is reachable). And where Node has no tracing channels and its HTTP
 * server announces no request, as an in-browser Node may, the shop still serves and the probe
 * names what is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import { readProbe } from '../../src/sandbox/capabilities.ts';
import { BACKEND_URL, FRONTEND_URL, SHOP_SCRIPTS } from '../../src/sandbox/shop.ts';
import { probeSandbox } from '../../src/session/boot.ts';
import { type BootedSandbox, type LocalBridge, startLocalBridge } from '../support/lesson-sandbox.ts';
import { packagesSnapshot } from '../support/packages-snapshot.ts';
import { describeBrowserPath, fetchInSandbox, run } from './browser-path.ts';

let bridge: LocalBridge;
beforeAll(async () => {
  bridge = await startLocalBridge();
});
afterAll(() => bridge?.close());

describeBrowserPath('the local runtime', () => bridge.connect(), packagesSnapshot);

test('on the local runtime, processes have no ESM loader hooks, as a WebContainer may not', { timeout: 60_000 }, async () => {
  const runtime = await bridge.connect();
  await runtime.mount({ 'package.json': '{}', scripts: { 'probe.mjs': (await lessonSandbox(lessonIds()[0]!)).start[SHOP_SCRIPTS.probe]! } });
  const report = await probeSandbox(runtime);
  await runtime.teardown();
  expect(report?.capabilities.loaderHooks).toEqual({ ok: false, detail: 'neither module.register nor module.registerHooks' });
});

describe('a Node without tracing channels, whose HTTP server announces no request', () => {
  let withoutChannels: LocalBridge;
  let booted: BootedSandbox;

  beforeAll(async () => {
    withoutChannels = await startLocalBridge({
      nodeOptions: [`--import ${new URL('../support/without-diagnostics-channels.cjs', import.meta.url).href}`],
    });
    const sandbox = await lessonSandbox(lessonIds().find((id) => id.startsWith('02-'))!);
    booted = await withoutChannels.boot({ ...sandbox.start, ...sandbox.solution });
  }, 180_000);
  afterAll(async () => {
    await booted?.runtime.teardown();
    await withoutChannels?.close();
  });

  test('the shop still serves, with Sentry loaded first', { timeout: 30_000 }, async () => {
    expect(JSON.parse(await fetchInSandbox(booted.runtime, `${BACKEND_URL}/products`)).length).toBeGreaterThan(0);
    expect(JSON.parse(await fetchInSandbox(booted.runtime, `${FRONTEND_URL}/api/products`)).length).toBeGreaterThan(0);
  });

  test('the probe names what is missing', { timeout: 30_000 }, async () => {
    const { output } = await run(booted.runtime, 'node', [SHOP_SCRIPTS.probe]);
    const { capabilities } = readProbe(output)!;
    expect(capabilities.tracingChannel).toEqual({ ok: false, detail: 'diagnostics_channel.tracingChannel is missing' });
    expect(capabilities.httpServerChannel).toEqual({ ok: false, detail: 'no message on http.server.request.start' });
  });
});
