// A second copy of the learner's backend, started the way scripts/dev.mjs starts the real one
// (compiled by the shop's scripts/lib/ts-build.mjs, run by plain node with source maps, with
// backend/src/instrument.ts loaded first), on a free port and without watching. Checks use it when
// the running shop cannot show what they must see, such as a server error in a shop that has none,
// and to read how instrument.ts left the SDK.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { outputOf, typeScriptBuild } from '../scripts/lib/ts-build.mjs';
import { patient } from './patience.ts';

export interface BackendCopy {
  url: string;
  /** The SDK as backend/src/instrument.ts left it. */
  sdk: { initialised: boolean; enabled: boolean; tracing: boolean; dsn?: string };
  close(): void;
}

export interface BackendCopyOptions {
  /** Adds a product that cannot be read to the catalogue, so GET /products fails inside the shop's code. */
  unreadableProduct?: boolean;
}

const READY = 'course-backend-copy ';

const INSTRUMENT = './backend/src/instrument.ts';
const SERVER = 'course-checks/backend-copy-server.ts';
const OUTDIR = 'node_modules/.cache/shop/course-backend-copy';

/** Compiles the learner's backend with the copy's entry point; a compile error is the learner's to read. */
async function build(): Promise<void> {
  const compiler = typeScriptBuild({ entries: [INSTRUMENT, SERVER], outdir: OUTDIR });
  try {
    await compiler.rebuild();
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    throw new Error(`The backend does not compile: ${where}${first?.text ?? (error as Error).message}`);
  } finally {
    await compiler.dispose();
  }
}

export async function startBackendCopy(options: BackendCopyOptions = {}): Promise<BackendCopy> {
  await build();
  // One process, so that killing it ends it; it also ends itself when the Check's process goes (its stdin closes).
  const imports = ['--enable-source-maps', '--import', pathToFileURL(outputOf(OUTDIR, INSTRUMENT)).href];
  const child = spawn(process.execPath, [...imports, outputOf(OUTDIR, SERVER)], {
    env: { ...process.env, ...(options.unreadableProduct ? { COURSE_UNREADABLE_PRODUCT: '1' } : {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const ceiling = patient(15_000);
    const timer = setTimeout(() => fail(`ran out of time: it did not start within ${Math.round(ceiling / 1000)} s`), ceiling);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`The backend (backend/src/server.ts's app, with backend/src/instrument.ts loaded first) ${why}:\n${output.slice(-1500)}`));
    };
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const line = output.split('\n').find((text) => text.startsWith(READY));
      if (!line) return;
      clearTimeout(timer);
      const { port, sdk } = JSON.parse(line.slice(READY.length));
      resolve({ url: `http://127.0.0.1:${port}`, sdk, close: () => child.kill('SIGKILL') });
    });
    child.on('exit', (code) => fail(`stopped (exit code ${code})`));
  });
}
