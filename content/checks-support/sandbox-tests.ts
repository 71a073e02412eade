// Runs one of the shop's own test files (the learner's) with the sandbox's Vitest, for checkpoints.
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { access, readFile, rm } from 'node:fs/promises';
import { patient } from './patience.ts';

/**
 * How long a check may wait for a learner's test file to run: Vitest starts, then the test starts
 * a backend of its own; seconds when idle, far longer on a busy machine. Checks that await
 * runTestFile take this as their timeout; the learner's tests get their default 5 s scaled alike.
 */
export const TEST_FILE_TIMEOUT_MS = patient(40_000);
/** When runTestFile gives up (a test stuck in a loop, a very busy machine): before the checks that await it do. */
const TEST_FILE_DEADLINE_MS = TEST_FILE_TIMEOUT_MS - patient(3000);

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

type ByVersion = Record<string, { tests: TestFileRun['tests']; loadError?: string }>;

/** Asks the check server's warm runner (test-file-runner.mjs) over loopback HTTP; hanging up makes it stop the run. */
function askCheckServer(server: string, request: { path: string }): Promise<ByVersion> {
  const body = JSON.stringify(request);
  return new Promise((resolve, reject) => {
    const asked = httpRequest(
      server,
      { method: 'POST', headers: { authorization: `Bearer ${process.env.COURSE_TEST_FILE_TOKEN}`, 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          clearTimeout(deadline);
          if (response.statusCode !== 200) return reject(new Error(`The check server could not run it: ${text}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`The check server answered what is not JSON: ${text.slice(0, 200)}`));
          }
        });
        response.on('error', reject);
      },
    );
    const deadline = setTimeout(() => {
      asked.destroy();
      const seconds = Math.round(TEST_FILE_DEADLINE_MS / 1000);
      reject(new Error(`it ran out of time: it did not finish within ${seconds} s. Does a test in ${request.path} loop forever?`));
    }, TEST_FILE_DEADLINE_MS);
    asked.on('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    asked.end(body);
  });
}

let runs = 0;

/** Runs the request in a Vitest of its own, for Checks run without the check server. */
async function runCold(request: object): Promise<ByVersion> {
  const report = `course-checks/test-file-report-${process.pid}-${++runs}.json`;
  await rm(report, { force: true });
  let stderr = '';
  await new Promise((resolve) => {
    const child = spawn(process.execPath, ['course-checks/test-file-runner.mjs', report], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, COURSE_TEST_FILE_REQUEST: JSON.stringify(request) },
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.on('exit', resolve);
  });
  try {
    return JSON.parse(await readFile(report, 'utf8'));
  } catch {
    throw new Error(`Vitest stopped before it ran it: ${stderr.trim() || 'no output'}`);
  }
}

/**
 * Runs a learner's test file once per version of the shop, all in one Vitest, and answers how it
 * went in each. The check server keeps that Vitest warm (its start was most of the time).
 */
export async function runTestFile<Name extends string>(path: string, versions: Record<Name, ShopVersion>): Promise<Record<Name, TestFileRun>> {
  const names = Object.keys(versions) as Name[];
  const each = (run: (name: Name) => TestFileRun) => Object.fromEntries(names.map((name) => [name, run(name)])) as Record<Name, TestFileRun>;
  if (
    !(await access(path).then(
      () => true,
      () => false,
    ))
  )
    return each(() => ({ exists: false, tests: [] }));
  const request = {
    path,
    versions: names.map((name) => {
      const { original, shipped } = versions[name];
      return { name, swapFrom: shipped ? 'course-checks/shipped' : 'course-checks/storefront', files: shipped ?? original ?? [] };
    }),
    testTimeout: patient(5000),
  };
  const server = process.env.COURSE_TEST_FILE_SERVER;
  let byVersion: Partial<ByVersion>;
  try {
    byVersion = await (server ? askCheckServer(server, request) : runCold(request));
  } catch (error) {
    return each(() => ({ exists: true, tests: [], loadError: (error as Error).message }));
  }
  return each((name) => {
    const version = byVersion[name];
    if (!version) return { exists: true, tests: [], loadError: `Vitest stopped before it ran ${path}.` };
    const loadError = version.tests.length === 0 ? version.loadError || 'it has no tests' : undefined;
    return { exists: true, tests: version.tests, ...(loadError ? { loadError } : {}) };
  });
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
