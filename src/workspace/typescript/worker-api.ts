/**
 * What the editor's TypeScript worker (project-worker.ts) answers besides Monaco's own requests.
 */
import type * as Monaco from 'monaco-editor';

export interface DeclarationsRequest {
  /** `sandbox` once the learner changed the shop's packages: the sandbox's node_modules decides. */
  from: 'asset' | 'sandbox';
  /** The declarations asset's absolute URL, or null when the site has none. */
  asset: string | null;
  /** Package folders whose files in the asset do not apply: removed, or installed at another version. */
  replaced: string[];
  /** Declaration and package.json files read from the sandbox's node_modules, by path (`node_modules/zod/index.d.ts`). */
  added: Record<string, string>;
}

export interface SandboxDiagnostics {
  /** Each sandbox file's diagnostics, by model URI. */
  diagnostics: Record<string, Monaco.typescript.Diagnostic[]>;
  /** The model versions they were computed for. */
  versions: Record<string, number>;
}

export interface ProjectWorkerApi extends Monaco.typescript.TypeScriptWorker {
  /** Replaces the packages' declarations; resolves with how many files TypeScript now sees. */
  loadDeclarations(request: DeclarationsRequest): Promise<number>;
  /**
   * Every problem in every file of the sandbox, each from the project that owns it, once a file of
   * that project has been `opened` (by model URI); the others' syntax only. `syntaxOnly` without
   * packages' declarations.
   */
  sandboxDiagnostics(syntaxOnly: boolean, opened: string[]): Promise<SandboxDiagnostics>;
}
