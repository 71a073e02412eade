// node course-checks/check-server.mjs: one Vitest kept warm in the sandbox for the course's Check.
// A cold `vitest run` spends seconds starting (loading Vitest, bundling its config, starting
// esbuild's WebAssembly service); here that happens once, and each Check only runs the tests.
// The course asks on stdin, one JSON line per Check: { "id": 1, "startedAt": 1733000000000 }. It
// answers each with a framed line when the run is over and the report is in
// course-checks/result.json: \x1e@@checks { "id": 1 } (or { "id": 1, "error": "…" }). Vitest's own
// output in between goes to stdout as usual. It ends when its stdin closes (the course is gone).
import { createInterface } from 'node:readline';
import { createVitest } from 'vitest/node';
import { serveTestFiles } from './test-file-runner.mjs';

const CONFIG = 'course-checks/vitest.config.mjs';
const RESULT = 'course-checks/result.json';
const FRAME = '\u001e@@checks ';
const answer = (body) => process.stdout.write(`${FRAME}${JSON.stringify(body)}\n`);

// Before Vitest starts, so that the Checks' workers inherit where to ask for a learner's test file.
const testFiles = await serveTestFiles();
const vitest = await createVitest('test', { config: CONFIG, watch: false, reporters: [['json', { outputFile: RESULT }]] });
await vitest.standalone();
answer({ ready: true });

async function check(startedAt) {
  // One Check press is one run: telemetry from before it is not the learner's answer (telemetry.ts).
  process.env.COURSE_CHECK_STARTED_AT = String(startedAt);
  // Every file may have changed since the last run (the learner's code, the lesson's checks): read all afresh.
  for (const project of vitest.projects) project.vite.moduleGraph.invalidateAll();
  vitest.clearSpecificationsCache();
  await vitest.runTestSpecifications(await vitest.globTestSpecifications(), true);
}

for await (const line of createInterface({ input: process.stdin })) {
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    continue;
  }
  try {
    await check(Number(request.startedAt) || Date.now());
    answer({ id: request.id });
  } catch (error) {
    answer({ id: request.id, error: String(error?.stack ?? error) });
  }
}
await Promise.all([vitest.close(), testFiles.close()]);
process.exit(0);
