/** Where and why a part could not build, start or keep running. */
export interface Problem {
  /** Relative to the shop's root. */
  file?: string;
  line?: number;
  column?: number;
  message: string;
}

/**
 * A part's state: `building` its code, `starting` the new process, `ready` (serving, when it has a
 * port), `failed` (it could not build or start, or crashed: `problem` says where and why), or
 * `stopped`.
 */
export interface PartStatus {
  name: string;
  state: 'building' | 'starting' | 'ready' | 'failed' | 'stopped';
  /** When it was reported (ms since the epoch). */
  at: number;
  /** Folders of the part's own files. */
  watched: string[];
  /** Every file in `watched`, by path, as `fingerprint` prints it, when this state began. */
  sources: Record<string, string>;
  problem?: Problem;
}

export const STATUS_PREFIX: string;
export function statusFile(name: string): string;
export function fingerprint(text: string): string;
export function sourcesMatch(status: Pick<PartStatus, 'watched' | 'sources'>, files: Record<string, string>): boolean;
