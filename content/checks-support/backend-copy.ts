// A second copy of the learner's backend, started the way scripts/dev.mjs starts the real one (tsx,
// with backend/src/instrument.ts loaded first), on a free port and without watching. Checks use it
// when the running shop cannot show what they must see, such as a server error in a shop that has
// none, and to read how instrument.ts left the SDK.
import { spawn } from 'node:child_process';

export interface BackendCopy {
  url: string;
  /** The SDK as backend/src/instrument.ts left it. */
  sdk: { initialised: boolean; tracing: boolean; dsn?: string };
  close(): void;
}

export interface BackendCopyOptions {
  /** Adds a product that cannot be read to the catalogue, so GET /products fails inside the shop's code. */
  unreadableProduct?: boolean;
}

const READY = 'course-backend-copy ';

export function startBackendCopy(options: BackendCopyOptions = {}): Promise<BackendCopy> {
  // One process (tsx as a loader, not its CLI, which would run the app in a child of its own), so
  // that killing it ends it; it also ends itself when the Check's process goes (its stdin closes).
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './backend/src/instrument.ts', 'course-checks/backend-copy-server.ts'], {
    env: { ...process.env, ...(options.unreadableProduct ? { COURSE_UNREADABLE_PRODUCT: '1' } : {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within 15 s`), 15_000);
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
