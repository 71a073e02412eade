// The shop `npm run dev` runs beside the checks. After a save in backend/src/, tsx watch stops the
// backend and starts it again, which takes a second or more: a Check pressed right after a save
// must talk to the new backend, not to the one being replaced.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const BACKEND = 'http://127.0.0.1:3001';

/** tsx watch stops the old backend well within this time after a save (it waits 100 ms for more saves). */
const STOPPED_WITHIN_MS = 1500;
/** How long a backend may take to start again (more on a busy machine); after that the checks say it does not answer. */
const STARTS_WITHIN_MS = 15_000;

async function lastSave(folder: string): Promise<number> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  const times = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        stat(join(e.parentPath, e.name)).then(
          (s) => s.mtimeMs,
          () => 0,
        ),
      ),
  );
  return Math.max(0, ...times);
}

const answers = () =>
  fetch(`${BACKEND}/health`, { signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );

/** Resolves once the running backend is the one started after the last save in backend/src/. */
export async function backendUpToDate(): Promise<void> {
  const saved = await lastSave('backend/src');
  const sinceSave = Date.now() - saved;
  if (sinceSave > STOPPED_WITHIN_MS + STARTS_WITHIN_MS) return;
  if (sinceSave < STOPPED_WITHIN_MS) await new Promise((resolve) => setTimeout(resolve, STOPPED_WITHIN_MS - sinceSave));
  const deadline = saved + STOPPED_WITHIN_MS + STARTS_WITHIN_MS;
  while (!(await answers()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}
