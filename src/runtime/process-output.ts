/** The ways code reads what a sandbox process prints: chunk by chunk, all of it, or up to a pattern. */
import type { SandboxProcess } from './types.ts';

/** Hands every chunk to `onChunk` until the process's output ends (or breaks, as when its runtime goes). */
export async function forEachChunk(process: SandboxProcess, onChunk: (chunk: string) => void): Promise<void> {
  const reader = process.output.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (done) return;
    onChunk(value);
  }
}

/** Everything the process prints, once it has ended. */
export async function readAll(process: SandboxProcess): Promise<string> {
  let text = '';
  await forEachChunk(process, (chunk) => {
    text += chunk;
  });
  return text;
}

/**
 * Reads until the output so far matches `pattern` and returns it, leaving the rest unread (the
 * stream can be read again). Fails if the process ends first or `timeoutMs` passes.
 */
export async function readUntil(process: SandboxProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const reader = process.output.getReader();
  let text = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got: ${JSON.stringify(text)}`)), timeoutMs);
  });
  try {
    while (!pattern.test(text)) {
      const { done, value } = await Promise.race([reader.read(), timeout]);
      if (done) throw new Error(`the process ended before ${pattern}; got: ${JSON.stringify(text)}`);
      text += value;
    }
    return text;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
