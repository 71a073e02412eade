export interface TypeScriptBuild {
  /** Compiles what changed (the first time, reuses an earlier build from the same sources); rejects with esbuild's failure (`errors`) when the code does not compile. */
  rebuild(): Promise<{ outputsChanged: boolean; inputs: string[] }>;
  /** Starts esbuild ahead of the next change. */
  warm(): Promise<void>;
  formatMessages(errors: unknown[]): Promise<string[]>;
  dispose(): Promise<void>;
}
export function typeScriptBuild(options: { entries: string[]; outdir: string }): TypeScriptBuild;
export function outputOf(outdir: string, entry: string): string;
