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

export interface TestFileOptions {
  /** Shop files to load as the shop had them before the lesson's story changed them (course-checks/storefront/). */
  original?: string[];
  /** Shop files to load as a lesson's story shipped them, its bug included (course-checks/shipped/). */
  shipped?: string[];
}

let runs = 0;

export async function runTestFile(path: string, options: TestFileOptions = {}): Promise<TestFileRun> {
  if (
    !(await access(path).then(
      () => true,
      () => false,
    ))
  )
    return { exists: false, tests: [] };
  const report = `course-checks/test-file-report-${process.pid}-${++runs}.json`;
  await rm(report, { force: true });
  const swapped = options.shipped ?? options.original;
  // Vite's module runner loads the config: half a second sooner than bundling it with esbuild (WebAssembly here).
  const config = ['--configLoader', 'runner', ...(swapped ? ['--config', 'course-checks/originals.vitest.config.mjs'] : [])];
  await new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', path, ...config, '--reporter=json', `--outputFile=${report}`, `--testTimeout=${patient(5000)}`],
      {
        stdio: 'ignore',
        env: {
          ...process.env,
          COURSE_ORIGINAL_FILES: (swapped ?? []).join(','),
          COURSE_SWAP_FROM: options.shipped ? 'course-checks/shipped' : 'course-checks/storefront',
        },
      },
    );
    child.on('exit', resolve);
  });
  const json = JSON.parse(await readFile(report, 'utf8'));
  const file = json.testResults[0];
  if (!file) return { exists: true, tests: [], loadError: 'Vitest found no tests in it.' };
  const tests = file.assertionResults.map((t: { title: string; status: string; failureMessages: string[] }) => ({
    name: t.title,
    status: t.status,
    failures: t.failureMessages,
  }));
  return { exists: true, tests, loadError: tests.length === 0 ? file.message || 'it has no tests' : undefined };
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
