/**
 * What the site publishes for the workspace: each lesson's files (`/sandbox/<lesson>.json`, built
 * by src/pages/sandbox/), the packages snapshot's manifest (`/sandbox/packages.json`, built by
 * src/snapshot/) and the editor's declarations manifest (`/sandbox/declarations.json`, built by
 * src/declarations/). Fetched once per page and kept.
 */
import { PACKAGES_MANIFEST, SANDBOX_ASSETS_PATH, type PackagesManifest } from '../snapshot/manifest.ts';
import type { PackagesSnapshot } from '../runtime/types.ts';
import type { LessonSandbox } from '../lessons/sandbox-files.ts';
import { DECLARATIONS_MANIFEST, type DeclarationsManifest } from '../declarations/manifest.ts';

async function getJson<T>(url: string, what: string): Promise<T> {
  const response = await fetch(url).catch((error: Error) => {
    throw new Error(`${what} did not load: ${error.message}`);
  });
  if (!response.ok) throw new Error(`${what} did not load (HTTP ${response.status})`);
  return (await response.json()) as T;
}

const lessons = new Map<string, Promise<LessonSandbox>>();
let packages: Promise<PackagesSnapshot> | null = null;

export function fetchLessonSandbox(lessonId: string): Promise<LessonSandbox> {
  let files = lessons.get(lessonId);
  if (!files) {
    files = getJson<LessonSandbox>(`${SANDBOX_ASSETS_PATH}${lessonId}.json`, 'the lesson\u2019s files');
    files.catch(() => lessons.delete(lessonId));
    lessons.set(lessonId, files);
  }
  return files;
}

export function fetchPackagesSnapshot(): Promise<PackagesSnapshot> {
  packages ??= getJson<PackagesManifest>(`${SANDBOX_ASSETS_PATH}${PACKAGES_MANIFEST}`, 'the shop\u2019s package list').then((manifest) => ({
    url: `${SANDBOX_ASSETS_PATH}${manifest.file}`,
    manifest,
  }));
  packages.catch(() => (packages = null));
  return packages;
}

let declarations: Promise<DeclarationsManifest> | null = null;

export function fetchDeclarationsManifest(): Promise<DeclarationsManifest> {
  declarations ??= getJson<DeclarationsManifest>(`${SANDBOX_ASSETS_PATH}${DECLARATIONS_MANIFEST}`, 'the list of the shop\u2019s package types');
  declarations.catch(() => (declarations = null));
  return declarations;
}
