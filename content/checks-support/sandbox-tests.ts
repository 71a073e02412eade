// Runs one of the shop's own test files (the learner's) with the sandbox's Vitest, for checkpoints.
import { spawn } from 'node:child_process';
import { access, readFile, rm } from 'node:fs/promises';
import { patient } from './patience.ts';

/**
 * How long a check may wait for a learner's test file to run: Vitest starts, then the test starts
 * a backend of its own; seconds when idle, far longer on a busy machine. Checks that await
 * runTestFile take this as their timeout; the learner's tests get their default 5 s scaled alike.
 */
export const TEST_FILE_TIMEOUT_MS = patient(40_000);

export interface TestFileRun {
  exists: boolean;
  /** Tests that ran, with their failure messages (empty when passed). */
  tests: { name: string; status: string; failures: string[] }[];
  /** Set when the file itself could not load (a syntax error, a bad import). */
  loadError?: string;
}

/** A version of the shop to run a test file on: the learner's, or theirs with some files swapped. */
export interface ShopVersion {
  /** Shop files to load as the shop had them before the lesson's story changed them (course-checks/storefront/). */
  original?: string[];
  /** Shop files to load as a lesson's story shipped them, its bug included (course-checks/shipped/). */
  shipped?: string[];
}

let runs = 0;

/**
 * Runs a learner's test file once per version of the shop, all in one Vitest (its start is most of
 * the time), and answers how it went in each.
 */
export async function runTestFile<Name extends string>(path: string, versions: Record<Name, ShopVersion>): Promise<Record<Name, TestFileRun>> {
  const names = Object.keys(versions) as Name[];
  const each = (run: TestFileRun) => Object.fromEntries(names.map((name) => [name, run])) as Record<Name, TestFileRun>;
  if (
    !(await access(path).then(
      () => true,
      () => false,
    ))
  )
    return each({ exists: false, tests: [] });
  const report = `course-checks/test-file-report-${process.pid}-${++runs}.json`;
  await rm(report, { force: true });
  const asVitestProjects = names.map((name) => {
    const { original, shipped } = versions[name];
    return { name, swapFrom: shipped ? 'course-checks/shipped' : 'course-checks/storefront', files: shipped ?? original ?? [] };
  });
  let stderr = '';
  await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      // Vite's module runner loads the config: half a second sooner than bundling it with esbuild (WebAssembly here).
      ['node_modules/vitest/vitest.mjs', 'run', '--config', 'course-checks/test-file.vitest.config.mjs', '--configLoader', 'runner'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          COURSE_TEST_FILE: path,
          COURSE_TEST_FILE_VERSIONS: JSON.stringify(asVitestProjects),
          COURSE_TEST_FILE_REPORT: report,
          COURSE_TEST_TIMEOUT: String(patient(5000)),
        },
      },
    );
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('exit', resolve);
  });
  const byVersion: Partial<Record<Name, { tests: TestFileRun['tests']; loadError?: string }>> = JSON.parse(await readFile(report, 'utf8').catch(() => '{}'));
  return Object.fromEntries(
    names.map((name) => {
      const version = byVersion[name];
      if (!version) return [name, { exists: true, tests: [], loadError: `Vitest stopped before it ran ${path}: ${stderr.trim() || 'no output'}` }];
      const loadError = version.tests.length === 0 ? version.loadError || 'it has no tests' : undefined;
      return [name, { exists: true, tests: version.tests, ...(loadError ? { loadError } : {}) }];
    }),
  ) as Record<Name, TestFileRun>;
}

/** Why a run of a learner's test file failed, as they would read it: its load error, or its first failure without the stack. */
export const firstFailure = (run: TestFileRun): string | undefined =>
  run.loadError ??
  run.tests
    .flatMap((t) => t.failures)[0]
    ?.split('\n')
    .filter((line) => !/^\s+at /.test(line))
    .slice(0, 6)
    .join('\n');
