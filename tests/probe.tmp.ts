import { lessonSandbox } from '../src/lessons/sandbox-files.ts';
import { readAll } from '../src/runtime/process-output.ts';
import { startLocalBridge, WITHOUT_MODULE_REGISTER } from './support/lesson-sandbox.ts';
const bridge = await startLocalBridge({ nodeOptions: [WITHOUT_MODULE_REGISTER] });
const id = '01-meet-the-storefront';
const sandbox = await lessonSandbox(id);
const runtime = await bridge.boot({ ...sandbox.start, ...sandbox.solution });
for (const [p, c] of Object.entries(sandbox.checks)) await runtime.writeFile(p, c);
const noReact = sandbox.checks['course-checks/vitest.config.mjs']!.replace("import react from '@vitejs/plugin-react';\n", '').replace(
  'plugins: [react()],',
  "esbuild: { jsx: 'automatic' },",
);
await runtime.writeFile('course-checks/noreact.config.mjs', noReact);
const time = async (label: string, args: string[]) => {
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    const p = await runtime.spawn('node', args);
    const out = await readAll(p);
    console.log(label, Date.now() - t, 'ms', /Duration\s+(\S+)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''))?.[1], /Error[^\n]*/.exec(out)?.[0] ?? '');
  }
};
await time('runner', ['node_modules/vitest/vitest.mjs', 'run', '--config', 'course-checks/vitest.config.mjs', '--configLoader', 'runner']);
await time('runner threads', [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--config',
  'course-checks/vitest.config.mjs',
  '--configLoader',
  'runner',
  '--pool',
  'threads',
]);
await time('runner no-isolate', [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--config',
  'course-checks/vitest.config.mjs',
  '--configLoader',
  'runner',
  '--no-isolate',
]);
await time('default', ['node_modules/vitest/vitest.mjs', 'run', '--config', 'course-checks/vitest.config.mjs']);
await runtime.teardown();
await bridge.close();
process.exit(0);
