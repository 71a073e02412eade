/**
 * The shop as a learner's browser gets it: the sandbox's files with node_modules from the packages
 * snapshot (not from `npm install`), in a folder. `npm test` runs the shop's own tests here, under
 * the constraints of a WebContainer, on Node 22 and 20.
 *   node tests/support/browser-tree.ts <folder>
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { SnapshotStore } from '../../src/runtime/local/snapshot-store.ts';
import { packagesSnapshot } from './packages-snapshot.ts';

const SKIPPED = new Set(['node_modules', '.telemetry', 'dist', '.vite']);

export async function writeBrowserTree(target: string): Promise<void> {
  const snapshot = await packagesSnapshot();
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const sandbox = resolve(import.meta.dirname, '../../sandboxes/storefront');
  cpSync(sandbox, target, { recursive: true, filter: (source) => !SKIPPED.has(source.split('/').at(-1)!) });
  await new SnapshotStore(snapshot.dir).writeInto(snapshot.manifest.file, target);
}

if (import.meta.filename === process.argv[1]) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: node tests/support/browser-tree.ts <folder>');
  await writeBrowserTree(resolve(target));
  console.log(`the shop with its packages from the snapshot: ${target}`);
}
