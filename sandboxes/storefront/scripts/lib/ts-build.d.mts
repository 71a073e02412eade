export interface TypeScriptBuild {
  esbuild: typeof import('esbuild');
  /** Compiles what changed; rejects with esbuild's failure (`errors`) when the code does not compile. */
  rebuild(): Promise<{ outputsChanged: boolean; inputs: string[] }>;
  dispose(): Promise<void>;
}
export function typeScriptBuild(options: { entries: string[]; outdir: string }): Promise<TypeScriptBuild>;
export function outputOf(outdir: string, entry: string): string;
