/**
 * "Check": runs a lesson's checkpoint tests (Vitest, inside the sandbox, against the running
 * shop) and reads back each test's result. Shared by the workspace and by CI's proof that every
 * checkpoint fails on its lesson's start and passes on its solution.
 */
import type { Runtime } from '../runtime/types.ts';
import { readAll } from '../runtime/process-output.ts';

export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** For a failure: the message written for the learner, whole (it may run over several lines). */
  message?: string;
  /** For a failed assertion: what it compared, in the test library's words ("expected 500 to be 200"). */
  detail?: string;
  /** How long the check itself ran (its file's set-up and Vitest's start-up not included). */
  durationMs?: number;
}

export interface CheckRun {
  passed: boolean;
  results: CheckResult[];
  /** Vitest's own output, for when the result file could not be read. */
  output: string;
  durationMs: number;
}

/** Where checkpoint tests go in the sandbox (not a dot-folder: Vitest would not look inside). */
export const CHECKS_DIR = 'course-checks';
const RESULT_FILE = `${CHECKS_DIR}/result.json`;

export interface VitestReport {
  testResults: {
    status?: string;
    message?: string;
    assertionResults: { title: string; status: string; failureMessages: string[]; duration?: number | null }[];
  }[];
}

/**
 * A failure as Vitest reports it (message, then the stack) → what the learner reads. An assertion
 * with a written message reads "AssertionError: <message>: expected 500 to be 200"; the message is
 * kept whole, every line of it, and the comparison goes to `detail`.
 */
export function explainFailure(failure: string): Pick<CheckResult, 'message' | 'detail'> {
  const lines = failure.split('\n');
  const stackStart = lines.findIndex((line) => /^\s+at /.test(line));
  const text = (stackStart === -1 ? lines : lines.slice(0, stackStart)).join('\n').trim();
  const assertion = /^AssertionError: ([\s\S]*?)(?:: (expected [\s\S]*))?$/.exec(text);
  if (assertion) {
    const [, message, detail] = assertion;
    return detail === undefined ? { message } : message ? { message, detail } : { message: detail };
  }
  return { message: text.replace(/^Error: /, '') };
}

type FileReport = VitestReport['testResults'][number];

/**
 * Results of one check file. A set-up step (beforeAll) that failed or timed out leaves its tests
 * skipped and puts its error on the file: each of those checks fails with that error, so the
 * learner reads why on every check it blocked.
 */
function fileResults(file: FileReport): CheckResult[] {
  const setUpFailure = file.status === 'failed' && file.message ? explainFailure(file.message) : undefined;
  if (!file.assertionResults.length)
    return [{ name: 'Load the checks', status: 'failed', ...(setUpFailure ?? { message: 'The check file could not be loaded.' }) }];
  return file.assertionResults.map((test): CheckResult => {
    const timing = typeof test.duration === 'number' ? { durationMs: Math.round(test.duration) } : {};
    if (test.status === 'passed') return { name: test.title, status: 'passed', ...timing };
    if (test.status === 'failed') return { name: test.title, status: 'failed', ...explainFailure(test.failureMessages[0] ?? ''), ...timing };
    return setUpFailure ? { name: test.title, status: 'failed', ...setUpFailure } : { name: test.title, status: 'skipped' };
  });
}

/** Vitest's JSON report of a Check → one result per check, each failure with its reason. */
export function readCheckReport(report: VitestReport): CheckResult[] {
  return report.testResults.flatMap(fileResults);
}

export async function runChecks(runtime: Runtime, checks: Record<string, string>): Promise<CheckRun> {
  const started = Date.now();
  // Only this lesson's checks: an earlier lesson's, still in the folder, would run too.
  await runtime.rm(CHECKS_DIR).catch(() => undefined);
  await Promise.all(Object.entries(checks).map(([path, contents]) => runtime.writeFile(path, contents)));
  const vitest = await runtime.spawn('node', [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--config',
    `${CHECKS_DIR}/vitest.config.mjs`,
    '--reporter=json',
    `--outputFile=${RESULT_FILE}`,
  ]);
  const output = await readAll(vitest);
  await vitest.exit;
  let report: VitestReport;
  try {
    report = JSON.parse(await runtime.readFile(RESULT_FILE)) as VitestReport;
  } catch {
    return {
      passed: false,
      results: [{ name: 'Run the checks', status: 'failed', message: `The checks could not run:\n${output.slice(-2000)}` }],
      output,
      durationMs: Date.now() - started,
    };
  }
  const results = readCheckReport(report);
  return { passed: results.length > 0 && results.every((result) => result.status === 'passed'), results, output, durationMs: Date.now() - started };
}
