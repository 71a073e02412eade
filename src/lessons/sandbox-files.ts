/**
 * Build-time: the files a lesson's sandbox starts from, and its solution. A lesson folder holds
 * overlays on sandboxes/storefront/: `start/` (files the story changes as the lesson begins, such as
 * lesson 6's shipped bug) and `solution/` (files as they are once the lesson is solved). The course
 * is cumulative: lesson N starts from every earlier lesson's start and solution, then its own start.
 * An overlay can also say a file is back as in the shop itself, rather than copy it: a lesson's
 * `overlay.json` lists them, `{ "solution": { "asInBase": ["backend/src/inventory.ts"] } }`.
 * Only text files are shipped.
 */
import { readdirSync, type Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { z } from 'astro/zod';
import { join } from 'node:path';
import type { FileMap } from '../runtime/types.ts';
import { CHECKS_DIR } from './run-checks.ts';

// Astro bundles this module at build time, so locate the repo from where the build runs.
const repoRoot = process.cwd();
export const storefrontDir = join(repoRoot, 'sandboxes', 'storefront');
export const lessonsDir = join(repoRoot, 'content', 'lessons');

/** Never shipped to a learner: installed packages, build output, recorded telemetry. */
const SKIPPED = new Set(['node_modules', 'dist', '.telemetry', 'test-results', '.vite', 'coverage']);

/**
 * Every text file under `dir`, by path, in path order. Skipped folders are not entered: the shop's
 * installed node_modules alone holds some 15,000 entries, and every lesson's sandbox reads the shop.
 */
async function readTree(dir: string): Promise<FileMap> {
  const paths: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(join(dir, folder), { withFileTypes: true });
    } catch (error) {
      if (folder === '' && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (SKIPPED.has(entry.name)) continue;
      const path = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !entry.name.endsWith('.log')) paths.push(path);
    }
  };
  await walk('');
  const files: FileMap = {};
  for (const path of paths.sort()) files[path] = await readFile(join(dir, path), 'utf8');
  return files;
}

export interface LessonSandbox {
  /** Every file of the sandbox as the lesson starts. */
  start: FileMap;
  /** The files the solution changes, as they are once solved (empty when nothing changes). */
  solution: FileMap;
  /** The lesson's checkpoint tests and their support files, placed under CHECKS_DIR when run. */
  checks: FileMap;
  /** What the solution sets in the workspace rather than in a file (content/lessons/NN-slug/settings.json). */
  solutionSettings: WorkspaceSettings;
}

/** What a learner sets in the workspace, not in the shop's files: the DSN of their own Sentry (sentry-forwarding.ts). */
export interface WorkspaceSettings {
  sentryDsn?: string;
}

const settingsSchema = z.object({
  /** Why the lesson has settings, for whoever reads the file. */
  note: z.string(),
  solution: z.object({ sentryDsn: z.string().optional() }).strict(),
});

async function readSettings(lessonId: string): Promise<WorkspaceSettings> {
  const file = join(lessonsDir, lessonId, 'settings.json');
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return {};
  const parsed = settingsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
  return parsed.data.solution;
}

/**
 * The site's own telemetry engine (parser, query, alert rules), shipped with the checks so a
 * checkpoint reads recorded telemetry and saved dashboards exactly as the panels do.
 */
const ENGINE_FILES = ['model.ts', 'envelope.ts', 'normalise.ts', 'json-shape.ts', 'query.ts', 'alerts.ts', 'monitoring.ts'];
const telemetryDir = join(repoRoot, 'src', 'telemetry');

async function engineFiles(): Promise<FileMap> {
  const files = await Promise.all(ENGINE_FILES.map((name) => readFile(join(telemetryDir, name), 'utf8')));
  return Object.fromEntries(ENGINE_FILES.map((name, i) => [`telemetry-engine/${name}`, files[i]!]));
}

/**
 * Each file a lesson's start/ replaced (lesson 6's shipped bug), twice: the shop's own version,
 * under storefront/ (the shop as it was before), and the version that start shipped, under
 * shipped/ (the bug): a check can run the learner's code and tests against either.
 */
function originals(base: FileMap, starts: FileMap[]): FileMap {
  const replaced = new Set(starts.flatMap((start) => Object.keys(start)).filter((path) => path in base));
  const shipped = Object.assign({}, ...starts.map((start) => Object.fromEntries(Object.entries(start).filter(([path]) => replaced.has(path)))));
  return { ...under('storefront', Object.fromEntries([...replaced].map((path) => [path, base[path]!]))), ...under('shipped', shipped) };
}

const under = (folder: string, files: FileMap): FileMap => Object.fromEntries(Object.entries(files).map(([path, contents]) => [`${folder}/${path}`, contents]));

const overlayManifest = z
  .object({
    start: z
      .object({ asInBase: z.array(z.string()) })
      .strict()
      .optional(),
    solution: z
      .object({ asInBase: z.array(z.string()) })
      .strict()
      .optional(),
  })
  .strict();

/** A lesson's `start/` or `solution/` folder, with the files its overlay.json puts back as in the base. */
async function readOverlay(lessonId: string, which: 'start' | 'solution', base: FileMap): Promise<FileMap> {
  const files = await readTree(join(lessonsDir, lessonId, which));
  const manifestFile = join(lessonsDir, lessonId, 'overlay.json');
  const text = await readFile(manifestFile, 'utf8').catch(() => null);
  if (text === null) return files;
  const parsed = overlayManifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${manifestFile}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  for (const path of parsed.data[which]?.asInBase ?? []) {
    if (base[path] === undefined) throw new Error(`${manifestFile}: "${path}" is not a file of the shop (sandboxes/storefront/)`);
    if (files[path] !== undefined) throw new Error(`${manifestFile}: "${path}" is both in ${which}/ and listed as as-in-base`);
    files[path] = base[path]!;
  }
  return files;
}

/** Lesson folders in course order (NN-slug sorts as the course runs). */
export function lessonIds(): string[] {
  const entries = readdirSync(lessonsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export async function lessonSandbox(lessonId: string): Promise<LessonSandbox> {
  const earlier = lessonIds().filter((id) => id < lessonId);
  const base = await readTree(storefrontDir);
  const [overlays, start, solution, support, engine, checks, solutionSettings] = await Promise.all([
    Promise.all(earlier.map(async (id) => ({ start: await readOverlay(id, 'start', base), solution: await readOverlay(id, 'solution', base) }))),
    readOverlay(lessonId, 'start', base),
    readOverlay(lessonId, 'solution', base),
    readTree(join(lessonsDir, '..', 'checks-support')),
    engineFiles(),
    readTree(join(lessonsDir, lessonId, 'checks')),
    readSettings(lessonId),
  ]);
  const starts = [...overlays.map((overlay) => overlay.start), start];
  return {
    start: Object.assign({}, base, ...overlays.flatMap((overlay) => [overlay.start, overlay.solution]), start),
    solution,
    checks: Object.keys(checks).length ? under(CHECKS_DIR, { ...support, ...engine, ...originals(base, starts), ...checks }) : {},
    solutionSettings,
  };
}
