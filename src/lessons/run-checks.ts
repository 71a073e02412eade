/**
 * "Check": runs a lesson's checkpoint tests (Vitest, inside the sandbox, against the running
 * shop) and reads back each test's result. Shared by the workspace and by CI's proof that every
 * checkpoint fails on its lesson's start and passes on its solution.
 */
import type { Runtime } from '../runtime/types.ts';

export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** For a failure: the message written for the learner, first. */
  message?: string;
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

interface VitestReport {
  testResults: { message?: string; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

/** "AssertionError: Is Sentry.init in …?: expected undefined to be defined" → the learner's part. */
function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? '';
  return line.replace(/^(AssertionError|Error): /, '');
}

export async function runChecks(runtime: Runtime, checks: Record<string, string>): Promise<CheckRun> {
  const started = Date.now();
  await Promise.all(Object.entries(checks).map(([path, contents]) => runtime.writeFile(path, contents)));
  await runtime.rm(RESULT_FILE).catch(() => undefined);
  const vitest = await runtime.spawn('node', [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--config',
    `${CHECKS_DIR}/vitest.config.mjs`,
    '--reporter=json',
    `--outputFile=${RESULT_FILE}`,
  ]);
  let output = '';
  const reader = vitest.output.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    output += value;
  }
  await vitest.exit;
  let report: VitestReport;
  try {
    report = JSON.parse(await runtime.readFile(RESULT_FILE)) as VitestReport;
  } catch {
    return { passed: false, results: [{ name: 'Run the checks', status: 'failed', message: `The checks could not run:\n${output.slice(-2000)}` }], output, durationMs: Date.now() - started };
  }
  const results: CheckResult[] = report.testResults.flatMap((file) =>
    file.assertionResults.length
      ? file.assertionResults.map((test) => ({
          name: test.title,
          status: test.status === 'passed' ? 'passed' : test.status === 'failed' ? 'failed' : 'skipped',
          message: test.failureMessages[0] ? firstLine(test.failureMessages[0]) : undefined,
        }))
      : [{ name: 'Load the checks', status: 'failed' as const, message: file.message ?? 'The check file could not be loaded.' }],
  );
  return { passed: results.length > 0 && results.every((result) => result.status === 'passed'), results, output, durationMs: Date.now() - started };
}
