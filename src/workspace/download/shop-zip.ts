/**
 * The shop as the learner has it now, as a zip that runs anywhere with Node: their files (not the
 * lesson's reference), the package.json and lockfile, the collector and `npm run dev` as in the
 * sandbox, no node_modules, and a README that says what it is.
 */
import { strToU8, zipSync, type Zippable } from 'fflate';
import { CHECKS_DIR } from '../../lessons/run-checks.ts';
import { isUnwatched, type FileMap } from '../../runtime/types.ts';

/** What the course put in the sandbox for itself, or npm and git keep: not the learner's shop. */
const notTheShop = (path: string) => isUnwatched(path) || path.startsWith(`${CHECKS_DIR}/`) || path.startsWith('.telemetry/');

/** The zip's one top-level folder, and its file name. */
export const SHOP_FOLDER = 'trace-and-co-storefront';

export interface ShopZipSource {
  files: FileMap;
  /** The lesson the learner is on ("08-fix-it"), for the README. */
  lessonId: string | null;
  now?: Date;
}

function preface(lessonId: string | null, now: Date): string {
  const when = now.toISOString().slice(0, 10);
  return [
    `> **Downloaded from Checkout Trace Lab on ${when}${lessonId ? ` at lesson ${lessonId}` : ''}:** the shop with your`,
    '> files as you left them (not the lesson’s solution). With Node 22 (or 20.19+): `npm install`, then',
    '> `npm run dev`, and open http://localhost:5173. Telemetry goes to the bundled collector (below); to',
    '> see it in your own Sentry as well: `SENTRY_FORWARD_DSN=<your project’s DSN> npm run dev`.',
    '',
    '',
  ].join('\n');
}

export function shopZip({ files, lessonId, now = new Date() }: ShopZipSource): Uint8Array {
  const entries: Zippable = {};
  for (const [path, text] of Object.entries(files)) {
    if (notTheShop(path)) continue;
    entries[`${SHOP_FOLDER}/${path}`] = strToU8(text);
  }
  entries[`${SHOP_FOLDER}/README.md`] = strToU8(preface(lessonId, now) + (files['README.md'] ?? ''));
  return zipSync(entries, { level: 6, mtime: now });
}

/** Saves the zip through the browser's own download. */
export function downloadShop(source: ShopZipSource): void {
  const url = URL.createObjectURL(new Blob([shopZip(source) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${SHOP_FOLDER}.zip`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
