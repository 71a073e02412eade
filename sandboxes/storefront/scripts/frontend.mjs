#!/usr/bin/env node
// node scripts/frontend.mjs: the frontend's Vite dev server (frontend/vite.config.ts), as `vite
// frontend` starts it, and three things the CLI does not do. It ends with the process that started
// it (scripts/dev.mjs), so its port is free for the next start even where a kill does not reach
// children; it compiles each file you save at once, so a syntax error is reported (file, line) the
// moment you save it, with or without the page open, and cleared when you fix it; and it answers
// 400 to a request whose target is not a plain path, which would otherwise take Vite down.
import { relative } from 'node:path';
import './lib/exit-with-parent.mjs';
import { reportStatus } from './lib/report-status.mjs';
import { createServer } from 'vite';

const root = 'frontend';
const COMPILED = /\.(tsx?|jsx?|css)$/;
/** A restart's previous server may still be letting go of the port. */
const PORT_WAIT_MS = 10_000;

/** The first problem per file, as Vite reports it (a plugin's error carries `loc` and `id`). */
function problemOf(error) {
  const file = error.loc?.file ?? error.id;
  const where = file ? { file: relative(process.cwd(), file.replace(/\?.*$/, '')), line: error.loc?.line, column: error.loc?.column } : {};
  return { ...where, message: String(error.message ?? error).split('\n')[0].replace(/^.*?: /, (prefix) => (prefix.includes('/') ? '' : prefix)) };
}

/** A request target Vite can take: a path that `new URL()` reads (not `http://[/`, not `*`). */
function readableTarget(target) {
  if (!target?.startsWith('/') || target.startsWith('//')) return false;
  try {
    new URL(target, 'http://localhost');
    return true;
  } catch {
    return false;
  }
}

/** Vite's router parses every target, and one it cannot read (`GET http://[/ HTTP/1.1`) took the dev server down. */
const readableTargetsOnly = {
  name: 'course:readable-targets-only',
  configureServer({ httpServer }) {
    if (!httpServer) return;
    const emit = httpServer.emit;
    httpServer.emit = function (event, ...args) {
      const [req, answer] = args;
      if (event === 'request' && !readableTarget(req.url)) {
        answer.writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Bad request: not a path.\n');
        return true;
      }
      if (event === 'upgrade' && !readableTarget(req.url)) {
        answer.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        return true;
      }
      return emit.call(this, event, ...args);
    };
  },
};

const status = reportStatus('frontend', [`${root}/src`]);
let failedFile = null;

/** Compiles a saved file right away; its error, or its fix, is the frontend's state. */
const compileOnSave = {
  name: 'course:compile-on-save',
  configureServer(server) {
    server.watcher.on('all', async (event, file) => {
      if ((event !== 'change' && event !== 'add') || !COMPILED.test(file) || file.includes('node_modules')) return;
      const url = `/${relative(server.config.root, file).split('\\').join('/')}`;
      try {
        await server.environments.client.transformRequest(url);
        if (failedFile === file || failedFile === null) {
          failedFile = null;
          await status.report({ state: 'ready' });
        }
      } catch (error) {
        failedFile = file;
        await status.report({ state: 'failed', problem: problemOf(error) });
      }
    });
    // A module that fails when the page asks for it (say, an import of a file that is gone).
    const hot = server.environments.client.hot;
    const send = hot.send.bind(hot);
    hot.send = (payload, ...rest) => {
      if (payload?.type === 'error') {
        const problem = problemOf(payload.err);
        failedFile = problem.file ?? failedFile;
        void status.report({ state: 'failed', problem });
      }
      return send(payload, ...rest);
    };
  },
};

await status.report({ state: 'starting' });
const server = await createServer({ root, plugins: [compileOnSave, readableTargetsOnly] });
for (let waited = 0; ; waited += 250) {
  try {
    await server.listen();
    break;
  } catch (error) {
    if (!/already in use/.test(error.message) || waited >= PORT_WAIT_MS) {
      await status.report({ state: 'failed', problem: { message: error.message } });
      console.error(error.message);
      process.exit(1);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}
server.printUrls();
await status.report({ state: 'ready' });

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => server.close().finally(() => process.exit(0)));
