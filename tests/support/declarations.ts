/**
 * The editor's declarations asset for tests: the same builder and cache as the site build
 * (src/declarations/), so a test reads the very file the browser loads.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { buildDeclarations } from '../../src/declarations/build.ts';
import { declarationsBuildOptions } from '../../src/declarations/astro-integration.ts';
import type { DeclarationsManifest } from '../../src/declarations/manifest.ts';

let built: Promise<{ manifest: DeclarationsManifest; files: Record<string, string> }> | null = null;

export function declarationsAsset(): Promise<{ manifest: DeclarationsManifest; files: Record<string, string> }> {
  built ??= buildDeclarations({ ...declarationsBuildOptions, log: (line) => console.log(`[declarations] ${line}`) }).then(({ file, manifest }) => ({
    manifest,
    files: JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, string>,
  }));
  return built;
}
