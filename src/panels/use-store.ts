import { useSyncExternalStore } from 'react';
import type { TelemetryStore } from '../telemetry/store.ts';

/** Re-renders on store changes (batched by the store), unless paused. */
export function useStoreVersion(store: TelemetryStore, paused: boolean): number {
  return useSyncExternalStore(
    (listener) => (paused ? () => {} : store.subscribe(listener)),
    () => store.version,
  );
}

export const formatDuration = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

/** Maps a stack frame's file (an absolute path in the sandbox, or a Vite URL) to a sandbox path. */
export function sandboxPathOf(filename: string | undefined, paths: string[]): string | undefined {
  if (!filename) return undefined;
  const clean = filename.replace(/[?#].*$/, '').replace(/^file:\/\//, '');
  const candidates = paths.filter((path) => clean.endsWith(`/${path}`) || clean.endsWith(`/${path.replace(/^frontend\//, '')}`));
  return candidates.sort((a, b) => b.length - a.length)[0];
}
