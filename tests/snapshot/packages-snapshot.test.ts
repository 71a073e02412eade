/**
 * The packages snapshot the browser mounts (and the local runtime boots from): what it holds, that
 * nothing in it is native, that it fits its budget, and that it is a WebContainer snapshot.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { snapshot as referenceSnapshot } from '@webcontainer/snapshot';
import { beforeAll, describe, expect, test } from 'vitest';
import { encodeSnapshot } from '../../src/snapshot/encode.ts';
import { decodeSnapshot, snapshotFiles } from '../../src/snapshot/format.ts';
import { findNativeFiles, nativeKind } from '../../src/snapshot/native-scan.ts';
import { packagesSnapshot } from '../support/packages-snapshot.ts';
import { guardChannelLookup } from '../../src/snapshot/instrument-dependencies.ts';

/** The budget for what a learner's browser downloads before the shop can start. */
const BUDGET_GZIP_BYTES = 20 * 2 ** 20;

let files: Map<string, Uint8Array>;
let gzipBytes: number;
beforeAll(async () => {
  const built = await packagesSnapshot();
  const gzipped = readFileSync(built.file);
  gzipBytes = gzipped.byteLength;
  files = new Map(snapshotFiles(decodeSnapshot(gunzipSync(gzipped))));
}, 300_000);

const text = (path: string) => new TextDecoder().decode(files.get(path));

describe('the packages snapshot', () => {
  test.each(['express', '@sentry/node', '@sentry/react', 'react', 'react-dom', 'vite', 'vitest', 'happy-dom'])('holds %s, installed', (name) => {
    const manifest = JSON.parse(text(`node_modules/${name}/package.json`)) as { name: string };
    // esbuild and rollup are aliased to their WebAssembly builds; everything else is itself.
    expect(manifest.name).toBe(name);
  });

  test('esbuild and rollup are their WebAssembly builds', () => {
    expect(JSON.parse(text('node_modules/esbuild/package.json')).name).toBe('esbuild-wasm');
    expect(files.has('node_modules/esbuild/esbuild.wasm')).toBe(true);
    expect(JSON.parse(text('node_modules/rollup/package.json')).name).toBe('@rollup/wasm-node');
  });

  test('holds nothing native: no addon, no executable for any OS', () => {
    expect(findNativeFiles(files)).toEqual([]);
  });

  test(`is at most ${BUDGET_GZIP_BYTES / 2 ** 20} MiB gzipped`, () => {
    console.log(`packages snapshot: ${files.size} files, ${(gzipBytes / 2 ** 20).toFixed(1)} MiB gzip`);
    expect(gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  test('leaves out what Node never reads, keeps licences', () => {
    const paths = [...files.keys()];
    expect(paths.filter((path) => /\.(map|d\.ts)$/.test(path))).toEqual([]);
    // Nor a comment sending Node (with --enable-source-maps) to look for a map that is not there.
    const pointing = paths.filter((path) => /\.[cm]?js$/.test(path) && /\n\/\/[#@] sourceMappingURL=\S+\s*$/.test(text(path)));
    expect(pointing).toEqual([]);
    expect(files.has('node_modules/express/LICENSE')).toBe(true);
  });

  test("each command in node_modules/.bin is a script that loads its package's entry, which exists", () => {
    const commands = [...files.keys()].filter((path) => path.startsWith('node_modules/.bin/'));
    expect(commands.map((path) => path.split('/').at(-1))).toEqual(expect.arrayContaining(['rollup', 'vite', 'vitest']));
    for (const command of commands) {
      const target = /import\("(\.\.\/[^"]+)"\)/.exec(text(command))?.[1];
      expect(target, command).toBeDefined();
      expect(files.has(join('node_modules/.bin', target!)), `${command} → ${target}`).toBe(true);
    }
  });

  test("Express's router carries Sentry's diagnostics channels, applied at build time", () => {
    for (const file of ['node_modules/router/index.js', 'node_modules/router/lib/layer.js']) {
      expect(text(file)).toContain('tracingChannel("orchestrion:router:');
      expect(text(file)).toContain('orchestrionModuleInjected("router")');
      // Guarded: where Node lacks tracing channels, Express still loads (tests/sandbox/browser-path.test.ts runs it so).
      expect(text(file)).toContain('typeof tr_ch_apm_dc.tracingChannel === "function"');
    }
  });

  test("a build fails when Sentry's transform no longer starts as the guard expects, rather than ship an unguarded module", () => {
    expect(() => guardChannelLookup('const { tracingChannel } = require("node:diagnostics_channel");', 'router/index.js')).toThrow(/no longer starts/);
  });
});

describe('the snapshot format', () => {
  test('encodes a tree exactly as @webcontainer/snapshot does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctl-snapshot-format-'));
    mkdirSync(join(dir, 'node_modules/pkg/bin'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/pkg/package.json'), '{"name":"pkg"}');
    writeFileSync(join(dir, 'node_modules/pkg/bin/cli.js'), '#!/usr/bin/env node\n');
    writeFileSync(join(dir, 'node_modules/pkg/data.bin'), new Uint8Array([0, 255, 1, 254]));
    writeFileSync(join(dir, 'empty.txt'), '');
    const ours = [...snapshotFiles(decodeSnapshot(await encodeSnapshot(dir)))].sort(([a], [b]) => a.localeCompare(b));
    const reference = [...snapshotFiles(decodeSnapshot(await referenceSnapshot(dir)))].sort(([a], [b]) => a.localeCompare(b));
    expect(ours.map(([path, bytes]) => [path, [...bytes]])).toEqual(reference.map(([path, bytes]) => [path, [...bytes]]));
  });

  test('the same tree gives the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctl-snapshot-stable-'));
    for (const name of ['b', 'a', 'c']) writeFileSync(join(dir, name), name);
    expect(await encodeSnapshot(dir)).toEqual(await encodeSnapshot(dir));
  });
});

describe('recognising native code by its bytes', () => {
  const bytes = (...values: number[]) => new Uint8Array([...values, ...new Array(64).fill(0)]);
  test.each([
    ['lib/addon.node', bytes(0), 'a native Node addon (.node)'],
    ['bin/esbuild', bytes(0x7f, 0x45, 0x4c, 0x46), 'an ELF binary (Linux)'],
    ['bin/tool', bytes(0xcf, 0xfa, 0xed, 0xfe), 'a Mach-O binary (macOS)'],
    ['bin/fat', bytes(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2), 'a universal Mach-O binary (macOS)'],
  ])('%s is %s', (path, contents, kind) => {
    expect(nativeKind(path, contents)).toBe(kind);
  });

  test('a Windows executable is found by its PE header', () => {
    const exe = new Uint8Array(256);
    exe.set([0x4d, 0x5a]);
    new DataView(exe.buffer).setUint32(0x3c, 0x80, true);
    exe.set([0x50, 0x45, 0, 0], 0x80);
    expect(nativeKind('tool.exe', exe)).toBe('a PE binary (Windows)');
  });

  test.each([
    ['index.js', new TextEncoder().encode('module.exports = 1;\n')],
    ['readme', new TextEncoder().encode('MZ is how this text starts, and that is fine')],
    ['esbuild.wasm', bytes(0x00, 0x61, 0x73, 0x6d)],
    ['Thing.class', bytes(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52)],
  ])('%s is not native', (path, contents) => {
    expect(nativeKind(path, contents)).toBeNull();
  });
});
