// Runs one of the learner's own test files for a Check (sandbox-tests.ts asks), in several versions
// of the shop at once (test-file.vitest.config.mjs), and answers how it went in each:
// { [version]: { tests: [{ name, status, failures }], loadError? } }.
//
// The check server keeps the Vitest that does it warm and answers the Check's worker over loopback
// HTTP, guarded by a token only its own processes know: a cold Vitest for each Check cost two seconds
// of CPU before the learner's test even started. Without the check server (a Check run cold),
// `node course-checks/test-file-runner.mjs <report.json>` runs the request in COURSE_TEST_FILE_REQUEST
// once and writes the answer to the report.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createVitest } from 'vitest/node';

const CONFIG = 'course-checks/test-file.vitest.config.mjs';
const MAX_REQUEST_BYTES = 64 * 1024;

/** request: { path, versions: [{ name, swapFrom, files }], testTimeout } */
async function startVitest(request) {
  // The config reads what to run from here when Vitest loads it, below; requests come one at a time.
  process.env.COURSE_TEST_FILE_REQUEST = JSON.stringify(request);
  // Vite's module runner loads the config: half a second sooner than bundling it with esbuild (WebAssembly here).
  return createVitest('test', { config: CONFIG, configLoader: 'runner', watch: false, reporters: [{}] });
}

async function runIn(vitest) {
  // The learner's test and the shop may have changed since the last run: read every file afresh.
  for (const project of vitest.projects) project.vite.moduleGraph.invalidateAll();
  vitest.clearSpecificationsCache();
  const { testModules } = await vitest.runTestSpecifications(await vitest.globTestSpecifications(), true);
  const byVersion = {};
  for (const module of testModules) {
    const tests = [...module.children.allTests()].map((test) => {
      const result = test.result();
      return { name: test.name, status: result.state, failures: (result.errors ?? []).map((e) => e.stack || e.message) };
    });
    byVersion[module.project.name] = { tests, loadError: module.errors()[0]?.message };
  }
  return byVersion;
}

/**
 * Closes a Vitest and stops its workers even when a learner's test is stuck in a loop: such a worker
 * never answers the polite stop that close() sends, and would spin on. A second cancel while the
 * first is under way stops the workers by force, as Ctrl+C twice does in Vitest's own CLI.
 */
async function closeByForce(vitest) {
  const cancelling = vitest.cancelCurrentRun('keyboard-input');
  await vitest.cancelCurrentRun('keyboard-input');
  await cancelling;
  await vitest.close();
}

/**
 * Serves requests on 127.0.0.1 and puts where and how to ask in this process's environment, which
 * the Check's workers inherit (COURSE_TEST_FILE_SERVER, COURSE_TEST_FILE_TOKEN). One Vitest is kept,
 * for the last request's file and versions (a lesson asks for the same each time); a run whose Check
 * gave up on it (its test hung) is not waited for: that Vitest is closed and the next request starts
 * afresh.
 */
export async function serveTestFiles() {
  const token = randomBytes(32);
  let kept; // { key, vitest: Promise }
  let queue = Promise.resolve();
  const forget = (entry) => {
    if (kept !== entry) return;
    kept = undefined;
    void entry.vitest.then(closeByForce).catch(() => undefined);
  };
  const run = async (request, gaveUp) => {
    const key = JSON.stringify(request);
    if (kept?.key !== key) {
      if (kept) forget(kept);
      kept = { key, vitest: startVitest(request) };
    }
    const entry = kept;
    void gaveUp.then(() => forget(entry));
    try {
      return await runIn(await entry.vitest);
    } catch (error) {
      forget(entry);
      throw error;
    }
  };
  const server = createServer((req, res) => {
    const answer = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const given = Buffer.from(req.headers.authorization?.replace(/^Bearer /, '') ?? '', 'hex');
    if (req.method !== 'POST' || given.length !== token.length || !timingSafeEqual(given, token)) return answer(403, { error: 'Not yours.' });
    let body = '';
    req.setEncoding('utf8').on('data', (chunk) => {
      body += chunk;
      if (body.length > MAX_REQUEST_BYTES) req.destroy();
    });
    req.on('end', () => {
      let request;
      try {
        request = JSON.parse(body);
        if (typeof request?.path !== 'string' || !Array.isArray(request.versions)) throw new Error('expected { path, versions }');
      } catch (error) {
        return answer(400, { error: `Not a test file request: ${error.message}` });
      }
      const gaveUp = new Promise((resolve) => res.on('close', () => res.writableFinished || resolve()));
      let abandoned = false;
      void gaveUp.then(() => (abandoned = true));
      const turn = queue.then(() => (abandoned ? {} : run(request, gaveUp)));
      // A hung run the Check gave up on holds no one else up.
      queue = Promise.race([turn, gaveUp]).catch(() => undefined);
      turn.then(
        (byVersion) => answer(200, byVersion),
        (error) => answer(500, { error: String(error?.stack ?? error) }),
      );
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.COURSE_TEST_FILE_SERVER = `http://127.0.0.1:${server.address().port}/`;
  process.env.COURSE_TEST_FILE_TOKEN = token.toString('hex');
  return {
    async close() {
      server.close();
      if (kept) await closeByForce(await kept.vitest);
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const vitest = await startVitest(JSON.parse(process.env.COURSE_TEST_FILE_REQUEST ?? '{}'));
  writeFileSync(process.argv[2], JSON.stringify(await runIn(vitest)));
  await vitest.close();
  process.exit(0);
}
