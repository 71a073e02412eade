// The shop `npm run dev` runs beside the checks. After a save in backend/src/, the backend is
// rebuilt and restarted (scripts/run-ts.mjs), which takes a moment: a Check pressed right after a
// save must talk to the new backend, not to the one being replaced, and a backend that cannot
// start must be named with its reason at once, not waited for.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sourcesMatch, statusFile, type PartStatus } from '../scripts/lib/status.mjs';
import { patient } from './patience.ts';

export const BACKEND = 'http://127.0.0.1:3001';

/**
 * The backend reports each step of a restart (building, starting, ready or failed), so waiting is
 * for that report; this is only the ceiling for a machine far too busy to get there.
 */
const RESTART_CEILING_MS = 60_000;
/** A backend reported ready answers at once; this covers a shop whose processes were all stopped since. */
const ANSWER_WAIT_MS = 3000;

async function readStatus(): Promise<PartStatus | null> {
  const text = await readFile(statusFile('backend'), 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as PartStatus;
  } catch {
    return null; // being replaced: read again
  }
}

/** The files in the folders the backend is built from, as they are on disk now. */
async function filesNow(folders: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const folder of folders) {
    for (const entry of await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => [])) {
      const path = join(entry.parentPath, entry.name).split('\\').join('/');
      if (!entry.isFile() || path.split('/').includes('node_modules')) continue;
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text !== null) files[path] = text;
    }
  }
  return files;
}

const answers = () =>
  fetch(`${BACKEND}/health`, { signal: AbortSignal.timeout(patient(1000)) }).then(
    () => true,
    () => false,
  );

const where = (status: PartStatus) => {
  const problem = status.problem;
  if (!problem) return 'it stopped';
  return `${problem.file ? `${problem.file}:${problem.line}:${problem.column}: ` : ''}${problem.message}`;
};

/**
 * Resolves once the running backend is the one built from the files on disk now; throws, saying
 * why, when that backend could not build or start.
 */
export async function backendUpToDate(): Promise<void> {
  const deadline = Date.now() + RESTART_CEILING_MS;
  for (;;) {
    const status = await readStatus();
    if (!status) break; // a backend not started by the shop's own scripts: all there is to check is that it answers
    const settled = status.state !== 'building' && status.state !== 'starting';
    if (settled && sourcesMatch(status, await filesNow(status.watched))) {
      if (status.state === 'ready') break;
      throw new Error(`The backend is not running: ${where(status)}. Fix it and save; the backend restarts on its own (Shop output shows its output).`);
    }
    if (Date.now() > deadline)
      throw new Error(`The backend did not restart within ${RESTART_CEILING_MS / 1000} s after your last save (Shop output shows why).`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const answerBy = Date.now() + patient(ANSWER_WAIT_MS);
  while (!(await answers())) {
    if (Date.now() > answerBy) throw new Error(`The backend does not answer on ${BACKEND}: is the shop running? Shop output shows its output.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
