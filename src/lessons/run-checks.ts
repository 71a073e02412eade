/**
 * "Check": runs a lesson's checkpoint tests (Vitest, inside the sandbox, against the running
 * shop) and reads back each test's result. Shared by the workspace and by CI's proof that every
 * checkpoint fails on its lesson's start and passes on its solution.
 */
import type { Runtime, SandboxProcess } from '../runtime/types.ts';
import { forEachChunk, readAll } from '../runtime/process-output.ts';
import { OutputFrameReader } from '../sandbox/output-frames.ts';
import { PROCESS_NAMES } from '../sandbox/shop.ts';

export interface CheckResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  /** For a failure: the message written for the learner, whole (it may run over several lines). */
  message?: string;
  /** For a failed assertion: what it compared, in the test library's words ("expected 500 to be 200"). */
  detail?: string;
  /** How long the check itself ran (its file's set-up and Vitest's start-up not included). */
  durationMs?: number;
  /** It ran out of time before it could judge (a busy machine): no verdict on the learner's code. */
  outOfTime?: boolean;
}

export interface CheckRun {
  passed: boolean;
  results: CheckResult[];
  /** Something about the sandbox itself the learner should know with these results (it lacks what the lesson needs). */
  note?: string;
  /** Vitest's own output, for when the result file could not be read. */
  output: string;
  durationMs: number;
}

/** Where checkpoint tests go in the sandbox (not a dot-folder: Vitest would not look inside). */
export const CHECKS_DIR = 'course-checks';
const RESULT_FILE = `${CHECKS_DIR}/result.json`;
/** The warm Vitest the course keeps in the sandbox (content/checks-support/check-server.mjs). */
const CHECK_SERVER = `${CHECKS_DIR}/check-server.mjs`;

export interface VitestReport {
  testResults: {
    status?: string;
    message?: string;
    assertionResults: { title: string; status: string; failureMessages: string[]; duration?: number | null }[];
  }[];
}

/**
 * A check, or its set-up, ran out of time: on a busy machine that is no verdict on the learner's
 * code. The sandbox's Vitest reports a test's own timeout as the placeholder error it made for the
 * stack ("Error: STACK_TRACE_ERROR"), a hook's in words.
 */
const OUT_OF_TIME = /^(Test|Hook) timed out in \d+ms|^(Error: )?STACK_TRACE_ERROR$|ran out of time/;
const BUSY =
  'This check ran out of time before it could judge your code: the computer is busy (another program is using the processor). Press Check again in a moment.';

/**
 * Where Vitest's comparison starts in an assertion's message: the last ": expected " outside the
 * quoted value it renders (a message may quote a learner's own failure, ": expected " and all,
 * and the comparison may quote it again). -1 when there is none.
 */
function comparisonStart(body: string): number {
  for (let at = body.lastIndexOf(': expected '); at !== -1; at = body.lastIndexOf(': expected ', at - 1)) {
    const quotes = body.slice(at).match(/(?<!\\)'/g)?.length ?? 0;
    if (quotes % 2 === 0) return at;
    if (at === 0) break;
  }
  return body.startsWith('expected ') ? 0 : -1;
}

/**
 * A failure as Vitest reports it (message, then the stack) → what the learner reads. An assertion
 * with a written message reads "AssertionError: <message>: expected 500 to be 200"; the message is
 * kept whole, every line of it (a learner's own failing test quoted in it included), and the
 * comparison Vitest appended last goes to `detail`. A timeout, or a runner's bare error code,
 * becomes words.
 */
export function explainFailure(failure: string): Pick<CheckResult, 'message' | 'detail'> & { outOfTime?: boolean } {
  const lines = failure.split('\n');
  const stackStart = lines.findIndex((line) => /^\s+at /.test(line));
  const text = (stackStart === -1 ? lines : lines.slice(0, stackStart)).join('\n').trim();
  if (OUT_OF_TIME.test(text)) return { message: BUSY, detail: text, outOfTime: true };
  if (!text) return { message: 'This check failed without saying why: Shop output may show more.' };
  if (text.startsWith('AssertionError: ')) {
    const body = text.slice('AssertionError: '.length);
    const at = comparisonStart(body);
    if (at === -1) return { message: body };
    return at === 0 ? { message: body } : { message: body.slice(0, at), detail: body.slice(at + 2) };
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

/** What a Check left in the sandbox last time, per sandbox: only what changed is written again. */
const placed = new WeakMap<Runtime, Map<string, string>>();

/** Puts this lesson's checks in CHECKS_DIR: an earlier lesson's, still there, would run too. */
async function placeChecks(runtime: Runtime, checks: Record<string, string>): Promise<void> {
  const before = placed.get(runtime);
  if (!before) await runtime.rm(CHECKS_DIR).catch(() => undefined);
  for (const path of before?.keys() ?? []) if (!(path in checks)) await runtime.rm(path).catch(() => undefined);
  await Promise.all(Object.entries(checks).map(([path, contents]) => (before?.get(path) === contents ? undefined : runtime.writeFile(path, contents))));
  placed.set(runtime, new Map(Object.entries(checks)));
  await runtime.rm(RESULT_FILE).catch(() => undefined);
}

/** The checks run once by a Vitest of their own (no warm runner): its output. */
async function coldRun(runtime: Runtime): Promise<string> {
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
  return output;
}

/** How long the warm runner may take to start (Vitest and its config, once per sandbox) on a very busy machine. */
const WARM_START_CEILING_MS = 180_000;
/** The ceiling for one Check's run; each check gives up sooner and says why (their own timeouts). */
const RUN_CEILING_MS = 300_000;

/** A warm Vitest in the sandbox (content/checks-support/check-server.mjs), started once and asked for each Check. */
class WarmChecks {
  readonly #process: SandboxProcess;
  readonly ready: Promise<void>;
  #answers = new Map<number, (answer: { error?: string }) => void>();
  #nextId = 1;
  /** The end of what the runner printed, for when it stops. */
  #text = '';
  /** What it printed during the Check under way. */
  #runText = '';
  #onEnd: (why: Error) => void = () => {};

  constructor(process: SandboxProcess) {
    this.#process = process;
    const reader = new OutputFrameReader();
    let resolveReady = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      this.#onEnd = (why) => {
        reject(why);
        for (const answer of this.#answers.values()) answer({ error: why.message });
        this.#answers.clear();
      };
    });
    this.ready.catch(() => undefined);
    void forEachChunk(process, (chunk) => {
      const out = reader.push(chunk);
      this.#text = (this.#text + out.text).slice(-4000);
      this.#runText += out.text;
      for (const frame of out.checks) {
        if (frame.ready) resolveReady();
        if (frame.id !== undefined) this.#answers.get(frame.id)?.(frame);
      }
    });
    void process.exit.then((code) => this.#onEnd(new Error(`The check runner stopped (exit code ${code}):\n${this.#text.slice(-2000)}`)));
  }

  /** Runs the checks now in place; resolves with what Vitest printed meanwhile. */
  async run(startedAt: number): Promise<string> {
    await withCeiling(this.ready, WARM_START_CEILING_MS, 'The check runner did not start');
    const id = this.#nextId++;
    this.#runText = '';
    const answered = new Promise<{ error?: string }>((resolve) => this.#answers.set(id, resolve));
    this.#process.write(`${JSON.stringify({ id, startedAt })}\n`);
    const answer = await withCeiling(answered, RUN_CEILING_MS, 'The checks did not finish');
    this.#answers.delete(id);
    if (answer.error) throw new Error(answer.error);
    return this.#runText;
  }

  stop(): void {
    this.#process.kill();
  }
}

function withCeiling<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s.`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const warm = new WeakMap<Runtime, Promise<WarmChecks>>();

/** The sandbox's warm runner, started on first use; one per sandbox, however many ask at once. */
function warmChecks(runtime: Runtime): Promise<WarmChecks> {
  let runner = warm.get(runtime);
  if (!runner) {
    const started = runtime.spawn('node', [CHECK_SERVER], { name: PROCESS_NAMES.checks }).then((process) => new WarmChecks(process));
    warm.set(runtime, started);
    const forget = () => warm.get(runtime) === started && warm.delete(runtime);
    started.then((ready) => ready.ready).catch(forget);
    runner = started;
  }
  return runner;
}

/** A warm runner that already runs in the sandbox (a reloaded page took the sandbox back): its checks are placed afresh before the next run. */
export function adoptChecks(runtime: Runtime, process: SandboxProcess): void {
  warm.set(runtime, Promise.resolve(new WarmChecks(process)));
}

/**
 * Puts a lesson's checks in the sandbox and starts the warm runner, so that the first Check does
 * not wait for Vitest to start. Safe to call again; a lesson without checks starts nothing.
 */
export async function prepareChecks(runtime: Runtime, checks: Record<string, string>): Promise<void> {
  if (!(CHECK_SERVER in checks)) return;
  await placeChecks(runtime, checks);
  await warmChecks(runtime);
}

export interface CheckOptions {
  /** Called when a check ran out of time (a busy machine) and the checks run a second time. */
  onBusy?: () => void;
}

/**
 * Runs a lesson's checks. A check that ran out of time is no verdict on the learner's code: the
 * checks run once more, and only what runs out of time twice is reported so.
 */
export async function runChecks(runtime: Runtime, checks: Record<string, string>, { onBusy }: CheckOptions = {}): Promise<CheckRun> {
  const first = await runOnce(runtime, checks);
  if (!first.results.some((result) => result.outOfTime)) return first;
  onBusy?.();
  const second = await runOnce(runtime, checks);
  const note = 'The computer was busy: some checks ran out of time, so the checks ran a second time.';
  return { ...second, note: second.note ? `${note} ${second.note}` : note, durationMs: first.durationMs + second.durationMs };
}

async function runOnce(runtime: Runtime, checks: Record<string, string>): Promise<CheckRun> {
  const started = Date.now();
  await placeChecks(runtime, checks);
  let output: string;
  try {
    // A runner that broke (it stopped, or did not answer) is replaced once; then a cold run.
    output = await runWarm(runtime, started).catch(() => runWarm(runtime, started));
  } catch (error) {
    output = `${(error as Error).message}\n${await coldRun(runtime)}`;
  }
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

async function runWarm(runtime: Runtime, startedAt: number): Promise<string> {
  if (!placed.get(runtime)?.has(CHECK_SERVER)) throw new Error('These checks come without the warm runner.');
  const starting = warmChecks(runtime);
  const runner = await starting;
  try {
    return await runner.run(startedAt);
  } catch (error) {
    runner.stop();
    if (warm.get(runtime) === starting) warm.delete(runtime);
    throw error;
  }
}
