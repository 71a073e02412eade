/**
 * Monaco's TypeScript worker module, which it publishes for custom workers (no typings of its
 * own): the stock worker class, the compiler it bundles, and the lib files that come with it.
 */
declare module 'monaco-editor/language/typescript/ts.worker.js' {
  import type * as TS from 'typescript';

  export interface MirrorModel {
    readonly uri: { toString(): string; readonly scheme: string; readonly path: string };
    readonly version: number;
    getValue(): string;
  }
  export interface WorkerContext {
    getMirrorModels(): MirrorModel[];
  }

  export class TypeScriptWorker {
    constructor(ctx: WorkerContext, createData: unknown);
    protected _languageService: TS.LanguageService;
    static clearFiles(diagnostics: readonly TS.Diagnostic[]): import('monaco-editor').typescript.Diagnostic[];
    getCompilerOptionsDiagnostics(fileName: string): Promise<import('monaco-editor').typescript.Diagnostic[]>;
  }
  export const ts: { typescript: typeof TS };
  export const libFileMap: Record<string, string>;
  export function initialize(create: (ctx: WorkerContext, createData: unknown) => object): void;
}
