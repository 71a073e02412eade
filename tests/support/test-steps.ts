/**
 * The steps `npm test` is made of (tests/run-all.ts and its lanes, tests/run-lane.ts): each step
 * runs a command, counts its tests (Vitest's JSON report) or counts as one test itself, and
 * records its wall time and the CPU time of every process it ran.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const sandbox = `${root}sandboxes/storefront`;
export const reports = `${root}test-results/reports`;
mkdirSync(reports, { recursive: true });

export interface Timing {
  label: string;
  wallSeconds: number;
  cpuSeconds: number;
}

export interface Results {
  passed: number;
  failed: number;
  skipped: number;
  /** Steps that failed, by label. */
  failures: string[];
  /** Each failed test, its name and the start of its error: printed again at the very end, where a CI log's tail shows it. */
  failedTests: string[];
  timings: Timing[];
}

export const emptyResults = (): Results => ({ passed: 0, failed: 0, skipped: 0, failures: [], failedTests: [], timings: [] });

export function addResults(into: Results, more: Results): void {
  into.passed += more.passed;
  into.failed += more.failed;
  into.skipped += more.skipped;
  into.failures.push(...more.failures);
  into.failedTests.push(...(more.failedTests ?? []));
  into.timings.push(...more.timings);
}

/** CPU seconds used by this process's finished children and theirs (Linux /proc; 0 elsewhere). */
function childrenCpuSeconds(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // cutime and cstime, fields 16 and 17 of stat, in clock ticks (100 a second on Linux).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** The steps of one process, run one after another. */
export class Steps {
  readonly results = emptyResults();
  readonly #started = Date.now();

  /** Runs a command with its output shown; returns whether it succeeded. Not counted as a test. */
  run(label: string, command: string, args: string[], options: RunOptions = {}): boolean {
    console.log(`\n▶ ${label}\n  $ ${command} ${args.join(' ')}`);
    const [wall, cpu] = [Date.now(), childrenCpuSeconds()];
    const result = spawnSync(command, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, stdio: 'inherit' });
    this.results.timings.push({ label, wallSeconds: (Date.now() - wall) / 1000, cpuSeconds: childrenCpuSeconds() - cpu });
    if (result.error) console.error(`  could not run ${command}: ${result.error.message}`);
    return result.status === 0;
  }

  /**
   * Runs a command beside others; its output is shown whole when it ends, not interleaved with
   * theirs. Its CPU time is not told apart from theirs (the table shows —).
   */
  runBeside(label: string, command: string, args: string[], options: RunOptions = {}): Promise<boolean> {
    const started = Date.now();
    const child = spawn(command, args, { cwd: options.cwd ?? root, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    return new Promise((resolve) => {
      child.on('error', (error) => (output += `  could not run ${command}: ${error.message}\n`));
      child.on('close', (code) => resolve(this.#doneBeside(label, started, `  $ ${command} ${args.join(' ')}\n${output}`, code === 0)));
    });
  }

  /** As runBeside, for work done in this process: what it logs is shown when it ends, and what it throws. */
  async doBeside(label: string, work: (log: (line: string) => void) => Promise<void>): Promise<boolean> {
    const started = Date.now();
    let output = '';
    try {
      await work((line) => (output += `  ${line}\n`));
      return this.#doneBeside(label, started, output, true);
    } catch (error) {
      return this.#doneBeside(label, started, `${output}  ✖ ${(error as Error).message}\n`, false);
    }
  }

  #doneBeside(label: string, started: number, output: string, ok: boolean): boolean {
    console.log(`\n▶ ${label} (beside other steps)\n${output}`);
    this.results.timings.push({ label, wallSeconds: (Date.now() - started) / 1000, cpuSeconds: Number.NaN });
    return ok;
  }

  /** runBeside, as one pass or one failure of its own. */
  async stepBeside(label: string, command: string, args: string[], options: RunOptions = {}): Promise<boolean> {
    return this.#counted(label, await this.runBeside(label, command, args, options));
  }

  /** A step that is one pass or one failure of its own. */
  step(label: string, command: string, args: string[], options: RunOptions = {}): boolean {
    return this.#counted(label, this.run(label, command, args, options));
  }

  /** A step's outcome counted as one pass or one failure. */
  #counted(label: string, ok: boolean): boolean {
    if (ok) this.results.passed += 1;
    else this.fail(label);
    return ok;
  }

  fail(label: string): void {
    this.results.failures.push(label);
    this.results.failed += 1;
  }

  /** Runs Vitest with a JSON report next to the normal output, and adds its counts. */
  vitest(label: string, vitestArgs: string[], options: RunOptions & { node?: string } = {}): void {
    const report = `${reports}/${label.replace(/\W+/g, '-')}.json`;
    const cwd = options.cwd ?? root;
    const ok = this.run(
      label,
      options.node ?? process.execPath,
      [`${cwd}/node_modules/vitest/vitest.mjs`, 'run', ...vitestArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      options,
    );
    let counted = false;
    if (existsSync(report) && statSync(report).mtimeMs > this.#started) {
      const json = JSON.parse(readFileSync(report, 'utf8')) as {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
        numTodoTests: number;
        testResults: { name: string; message?: string; assertionResults: { status: string; fullName: string; failureMessages: string[] }[] }[];
      };
      for (const file of json.testResults) {
        const failed = file.assertionResults.filter((test) => test.status === 'failed');
        for (const test of failed) this.results.failedTests.push(`${relative(cwd, file.name)} › ${test.fullName}\n${firstLines(test.failureMessages[0])}`);
        if (!failed.length && file.message) this.results.failedTests.push(`${relative(cwd, file.name)}\n${firstLines(file.message)}`);
      }
      this.results.passed += json.numPassedTests;
      this.results.failed += json.numFailedTests;
      this.results.skipped += json.numPendingTests + json.numTodoTests;
      counted = true;
    }
    if (!ok) {
      this.results.failures.push(label);
      if (!counted) this.results.failed += 1;
    }
  }
}

/** The start of a failure message: enough to tell one failure from another in a log. */
function firstLines(message = '', lines = 8): string {
  return message
    .split('\n')
    .filter((line) => !/^\s*at .*(node_modules|<anonymous>|node:internal)/.test(line))
    .slice(0, lines)
    .map((line) => `    ${line.slice(0, 300)}`)
    .join('\n');
}

/** What failed, test by test. */
export function printFailedTests(failedTests: string[]): void {
  if (!failedTests.length) return;
  console.log(`\n✖ ${failedTests.length} failed test${failedTests.length === 1 ? '' : 's'}:`);
  for (const test of failedTests) console.log(`  ${test}`);
}

/** The table `npm test` ends with: where the time went. */
export function printTimings(timings: Timing[]): void {
  console.log('\n  wall s    CPU s   step');
  for (const { label, wallSeconds, cpuSeconds } of timings) {
    const cpu = Number.isFinite(cpuSeconds) ? cpuSeconds.toFixed(0) : '—';
    console.log(`${wallSeconds.toFixed(0).padStart(8)} ${cpu.padStart(8)}   ${label}`);
  }
}
