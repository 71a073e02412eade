// Records a drop-off for lesson 9's checks, as recordings/README.md describes: the shop as lesson 5
// leaves it, with simulated shoppers, then lesson 6's change ships and the shoppers keep coming.
//   node tests/support/record-drop-off.ts <healthy minutes> <broken minutes> <shoppers a minute> > envelopes.ndjson
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import type { Runtime } from '../../src/runtime/types.ts';
import { startLocalBridge } from './lesson-sandbox.ts';
import { forEachChunk } from '../../src/runtime/process-output.ts';
import { COLLECTOR_URL } from '../../src/sandbox/shop.ts';

const [healthyMinutes = 2, brokenMinutes = 14, perMinute = 60] = process.argv.slice(2).map(Number);
const lesson = (prefix: string) => lessonIds().find((id) => id.startsWith(prefix))!;
const dashboards = await lessonSandbox(lesson('05-'));
const broken = await lessonSandbox(lesson('06-'));
const healthy = { ...dashboards.start, ...dashboards.solution };
const shipped = Object.keys(broken.start).filter((path) => broken.start[path] !== healthy[path]);

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);

async function shoppers(runtime: Runtime, minutes: number) {
  const run = await runtime.spawn('node', [
    'scripts/run-ts.mjs',
    'scripts/shoppers.ts',
    '--rate',
    String(perMinute),
    '--count',
    String(Math.round(minutes * perMinute)),
  ]);
  let last = '';
  await forEachChunk(run, (chunk) => {
    last = chunk.trim().split('\n').at(-1) ?? last;
  });
  log(`${minutes} min of shoppers done (exit ${await run.exit}); last: ${last}`);
}

const bridge = await startLocalBridge();
const { runtime } = await bridge.boot(healthy);
const progress = setInterval(async () => {
  const recording = await runtime.readFile('.telemetry/envelopes.ndjson').catch(() => '');
  const collector = await fetch(`${COLLECTOR_URL}/health`).then(
    (r) => r.json(),
    (error) => String(error),
  );
  log(`${recording.split('\n').length - 1} envelopes recorded; collector: ${JSON.stringify(collector)}`);
}, 60_000);
try {
  await shoppers(runtime, healthyMinutes);
  for (const path of shipped) await runtime.writeFile(path, broken.start[path]!);
  log(`shipped lesson 6's change: ${shipped.join(', ')}`);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await shoppers(runtime, brokenMinutes);
  await new Promise((resolve) => setTimeout(resolve, 6000));
  process.stdout.write(await runtime.readFile('.telemetry/envelopes.ndjson'));
} finally {
  clearInterval(progress);
  await runtime.teardown();
  await bridge.close();
}
