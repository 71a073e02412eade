/**
 * Keeps the declarations the editor's TypeScript sees in step with the sandbox's packages
 * (declarations-source.ts): the asset at first; after the learner changed package.json or the
 * lockfile, again each time an install rewrites npm's record of node_modules (it is looked at
 * every few seconds, and only then: the learner installs in the shell whenever they like).
 */
import { useEffect } from 'react';
import type { FileMap, Runtime } from '../../runtime/types.ts';
import { declarationsRequest, INSTALLED_RECORD, packagesChanged } from './declarations-source.ts';
import type { TypeChecker } from './type-checker.ts';

const INSTALL_POLL_MS = 3000;

/** `sandbox`: the running sandbox once its packages are installed, else null. */
export function usePackageDeclarations(checker: TypeChecker | null, files: FileMap, sandbox: Runtime | null): void {
  const packageJson = files['package.json'];
  const lockfile = files['package-lock.json'];
  useEffect(() => {
    if (!checker) return;
    const packageFiles = { 'package.json': packageJson ?? '', 'package-lock.json': lockfile ?? '' };
    void checker.loadDeclarations(declarationsRequest(packageFiles, sandbox));
    if (!sandbox) return;
    let record: string | null = null;
    let stopped = false;
    const timer = setInterval(async () => {
      if (!(await packagesChanged(packageFiles))) return clearInterval(timer);
      const now = await sandbox.readFile(INSTALLED_RECORD).catch(() => null);
      if (stopped || now === null || now === record) return;
      if (record !== null) void checker.loadDeclarations(declarationsRequest(packageFiles, sandbox));
      record = now;
    }, INSTALL_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [checker, packageJson, lockfile, sandbox]);
}
