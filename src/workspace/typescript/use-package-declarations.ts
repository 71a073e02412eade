/**
 * Keeps the declarations the editor's TypeScript sees in step with the sandbox's packages
 * (declarations-source.ts): the asset at first; after the learner changed package.json or the
 * lockfile, again each time an install rewrites npm's record of node_modules (it is looked at
 * every few seconds, and only then: the learner installs in the shell whenever they like).
 * While the shop boots they wait: type-checking the shop takes a core for seconds, which a 2-core
 * machine's boot would otherwise share (the learner reads the lesson first anyway).
 */
import { useEffect } from 'react';
import type { FileMap, Runtime } from '../../runtime/types.ts';
import { declarationsRequest, INSTALLED_RECORD, packagesChanged } from './declarations-source.ts';
import type { TypeChecker } from './type-checker.ts';

const INSTALL_POLL_MS = 3000;
/** A boot slower than this (a busy machine) waits for the types no longer. */
const BOOT_WAIT_MS = 20_000;

/** `sandbox`: the running sandbox once its packages are installed, else null; `booting`: it is on its way. */
export function usePackageDeclarations(checker: TypeChecker | null, files: FileMap, sandbox: Runtime | null, booting: boolean): void {
  const packageJson = files['package.json'];
  const lockfile = files['package-lock.json'];
  useEffect(() => {
    if (!checker) return;
    const packageFiles = { 'package.json': packageJson ?? '', 'package-lock.json': lockfile ?? '' };
    const load = () => void checker.loadDeclarations(declarationsRequest(packageFiles, sandbox));
    if (!sandbox && !booting) return load();
    if (!sandbox) {
      const timer = setTimeout(load, BOOT_WAIT_MS);
      return () => clearTimeout(timer);
    }
    let stopped = false;
    const readRecord = () => sandbox.readFile(INSTALLED_RECORD).catch(() => null);
    // The record is read before the declarations are, so an install that ends in between is seen by the next look.
    let record: Promise<string | null> = readRecord().then((text) => {
      if (!stopped) load();
      return text;
    });
    const timer = setInterval(async () => {
      if (!(await packagesChanged(packageFiles))) return clearInterval(timer);
      const [before, now] = await Promise.all([record, readRecord()]);
      if (stopped || now === null || now === before) return;
      record = Promise.resolve(now);
      load();
    }, INSTALL_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [checker, packageJson, lockfile, sandbox, booting]);
}
