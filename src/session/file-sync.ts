/**
 * The one way files reach the sandbox. The session says what each file should hold; this writes
 * the difference to the runtime, in order, later for typing (a debounce) and at once for whole
 * changes (a lesson switch, the solution). `flush()` waits until the sandbox holds what was asked.
 */
import type { FileMap, Runtime } from '../runtime/types.ts';

export const TYPING_DELAY_MS = 300;

export class FileSync {
  #runtime: Runtime | null = null;
  /** What the sandbox holds, as far as this has written it. */
  #held: FileMap = {};
  /** What it should hold. */
  #wanted: FileMap = {};
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Counts the changes asked of each path, so a read of the sandbox started before one is known to be stale. */
  #generations = new Map<string, number>();
  #writing: Promise<void> = Promise.resolve();

  #onError: (path: string, error: Error) => void;
  #onWritten: (paths: string[]) => void;

  constructor(onError: (path: string, error: Error) => void, onWritten: (paths: string[]) => void = () => {}) {
    this.#onError = onError;
    this.#onWritten = onWritten;
  }

  /** The sandbox was just mounted with `files`. */
  attach(runtime: Runtime, files: FileMap): void {
    this.#runtime = runtime;
    this.#held = { ...files };
    this.#wanted = { ...files };
    for (const path of this.#changedPaths()) this.#schedule(path, 0);
  }

  detach(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#runtime = null;
  }

  /** One file changed (the learner typed); `undefined` removes it. */
  set(path: string, contents: string | undefined, delayMs = TYPING_DELAY_MS): void {
    this.#generations.set(path, this.generation(path) + 1);
    if (contents === undefined) delete this.#wanted[path];
    else this.#wanted[path] = contents;
    this.#schedule(path, delayMs);
  }

  /** The whole tree should now be `files` (a lesson switch): only differences are written. */
  replaceAll(files: FileMap): void {
    this.#wanted = { ...files };
    for (const path of this.#changedPaths()) this.#schedule(path, 0);
  }

  /**
   * The sandbox's copy of a file changed by other means (the learner's shell: `sed`, `git checkout`,
   * a formatter), as read when `generation(path)` was `readAt`. Adopted unless an edit of it was
   * asked since or is still on its way there, which wins; returns whether it was, so the editor shows it.
   */
  adopt(path: string, contents: string | undefined, readAt: number): boolean {
    if (readAt !== this.generation(path) || this.#timers.has(path) || this.#held[path] !== this.#wanted[path] || this.#held[path] === contents) return false;
    if (contents === undefined) {
      delete this.#held[path];
      delete this.#wanted[path];
    } else {
      this.#held[path] = contents;
      this.#wanted[path] = contents;
    }
    return true;
  }

  generation(path: string): number {
    return this.#generations.get(path) ?? 0;
  }

  #changedPaths(): string[] {
    const paths = new Set([...Object.keys(this.#held), ...Object.keys(this.#wanted)]);
    return [...paths].filter((path) => this.#held[path] !== this.#wanted[path]);
  }

  #schedule(path: string, delayMs: number): void {
    if (!this.#runtime) return; // attach() writes whatever differs
    clearTimeout(this.#timers.get(path));
    this.#timers.set(
      path,
      setTimeout(() => {
        this.#timers.delete(path);
        void this.#write([path]);
      }, delayMs),
    );
  }

  #write(paths: string[]): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      const runtime = this.#runtime;
      if (!runtime) return;
      const written: string[] = [];
      for (const path of paths) {
        const contents = this.#wanted[path];
        if (this.#held[path] === contents) continue;
        try {
          if (contents === undefined) await runtime.rm(path);
          else await runtime.writeFile(path, contents);
          if (contents === undefined) delete this.#held[path];
          else this.#held[path] = contents;
          written.push(path);
        } catch (error) {
          this.#onError(path, error as Error);
        }
      }
      if (written.length) this.#onWritten(written);
    });
    return this.#writing;
  }

  /** Writes everything still waiting, now; resolves once the sandbox holds it. */
  flush(): Promise<void> {
    const waiting = [...this.#timers.keys()];
    for (const path of waiting) clearTimeout(this.#timers.get(path));
    this.#timers.clear();
    return this.#write(this.#changedPaths());
  }
}
