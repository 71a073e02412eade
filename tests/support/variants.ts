/**
 * Answers a learner might give, kept as data next to each lesson, to test its checks the way
 * mutation testing tests code: content/lessons/NN-slug/variants/{right,wrong}/<name>/ holds the files
 * the answer changes (an overlay on the lesson's start, paths as in the sandbox) and variant.json:
 *   note     why the answer is right or wrong, in a sentence
 *   failing  (wrong answers) words from the name of each check that must catch it
 *   removed  (optional) sandbox files the answer deletes
 *   before   (optional) what the learner did before pressing Check: a name from variant-scenarios.ts
 *   sentryDsn (optional) the DSN the learner gave in the workspace's "Send to your own Sentry"
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { lessonsDir } from '../../src/lessons/sandbox-files.ts';
import type { FileMap, Runtime } from '../../src/runtime/types.ts';
import type { LessonFiles } from './lesson-sandbox.ts';
import { scenarios, type ScenarioName } from './variant-scenarios.ts';

export type Verdict = 'right' | 'wrong';

export interface Variant {
  verdict: Verdict;
  name: string;
  note: string;
  files: FileMap;
  removed: string[];
  failing: string[];
  before?: ScenarioName;
  sentryDsn?: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((path) => statSync(join(dir, path)).isFile());
}

export function lessonVariants(lessonId: string, verdict: Verdict): Variant[] {
  const dir = join(lessonsDir, lessonId, 'variants', verdict);
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const folder = join(dir, name);
    const meta = JSON.parse(readFileSync(join(folder, 'variant.json'), 'utf8')) as {
      note: string;
      failing?: string[];
      removed?: string[];
      before?: ScenarioName;
      sentryDsn?: string;
    };
    if (!meta.note) throw new Error(`${lessonId}/variants/${verdict}/${name}/variant.json: write a note saying why it is ${verdict}`);
    if (verdict === 'wrong' && !meta.failing?.length)
      throw new Error(`${lessonId}/variants/wrong/${name}/variant.json: name the check that must catch it in "failing"`);
    const files = Object.fromEntries(
      filesUnder(folder)
        .filter((path) => path !== 'variant.json')
        .map((path) => [relative(folder, join(folder, path)).split(sep).join('/'), readFileSync(join(folder, path), 'utf8')]),
    );
    return { verdict, name, note: meta.note, files, removed: meta.removed ?? [], failing: meta.failing ?? [], before: meta.before, sentryDsn: meta.sentryDsn };
  });
}

/**
 * Puts a variant's answer in a booted lesson sandbox, as a learner's saves would: first what its
 * scenario has the learner do, then the lesson's start with the variant's files (and without the
 * files it removes), waiting until the shop has picked them up.
 */
export async function applyVariant(variant: Variant, sandbox: { runtime: Runtime; files: LessonFiles; start: FileMap; solution: FileMap }) {
  if (variant.before) await scenarios[variant.before]({ runtime: sandbox.runtime, files: sandbox.files, solved: { ...sandbox.start, ...sandbox.solution } });
  const answer = { ...sandbox.start, ...variant.files };
  for (const path of variant.removed) delete answer[path];
  await sandbox.files.become(answer, { settings: { sentryDsn: variant.sentryDsn } });
}
