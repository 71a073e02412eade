/**
 * Which packages' declarations the editor's TypeScript sees. While the sandbox's package.json and
 * lockfile are the shop's, the declarations asset built with the site from that lockfile. Once the
 * learner changes them and installs, the sandbox's node_modules decides: a package it holds at
 * another version, or that the asset lacks, is read from there; one it no longer holds is gone.
 * (The packages the install left alone come from the packages snapshot, which holds no
 * declarations: the asset still gives theirs, at the very same versions.)
 */
import type { DeclarationsManifest } from '../../declarations/manifest.ts';
import { type InstallFiles, installedPackages, packageDeclarations } from '../../declarations/packages.ts';
import type { FileMap, Runtime } from '../../runtime/types.ts';
import { SANDBOX_ASSETS_PATH } from '../../snapshot/manifest.ts';
import { fetchDeclarationsManifest } from '../../session/lesson-source.ts';
import { needsInstall } from '../../session/packages.ts';
import type { DeclarationsRequest } from './worker-api.ts';

/** npm's record of what the sandbox's node_modules holds, rewritten by every install. */
export const INSTALLED_RECORD = 'node_modules/.package-lock.json';

/** Whether the sandbox's packages may differ from the asset's: the learner changed package.json or the lockfile. */
export async function packagesChanged(files: FileMap): Promise<boolean> {
  return needsInstall(files, await fetchDeclarationsManifest());
}

/** What the sandbox's node_modules changes of the asset's packages: those it replaced or dropped, and the declarations of those it holds anew. */
export async function sandboxDeclarations(
  sandbox: InstallFiles,
  manifest: Pick<DeclarationsManifest, 'packages'>,
): Promise<Pick<DeclarationsRequest, 'replaced' | 'added'>> {
  const installed = installedPackages(await sandbox.readFile(INSTALLED_RECORD));
  const replaced = Object.keys(manifest.packages).filter((folder) => installed[folder] !== manifest.packages[folder]);
  const fresh = Object.keys(installed).filter((folder) => installed[folder] !== manifest.packages[folder]);
  const added: Record<string, string> = {};
  // A folder npm left half made (an install still running) has nothing to read yet: the next install record brings it.
  for (const folder of fresh) Object.assign(added, await packageDeclarations(sandbox, folder).catch(() => ({})));
  return { replaced, added };
}

/** `sandbox`: the running sandbox, once its packages are installed; null before. */
export async function declarationsRequest(files: FileMap, sandbox: Runtime | null): Promise<DeclarationsRequest> {
  const manifest = await fetchDeclarationsManifest();
  const asset = new URL(`${SANDBOX_ASSETS_PATH}${manifest.file}`, location.href).href;
  if (!sandbox || !(await needsInstall(files, manifest))) return { from: 'asset', asset, replaced: [], added: {} };
  return { from: 'sandbox', asset, ...(await sandboxDeclarations(sandbox, manifest)) };
}
