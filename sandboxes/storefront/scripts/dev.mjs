#!/usr/bin/env node
// `npm run dev`: starts every part of the shop with labelled output; Ctrl-C stops them all.
import { spawn } from 'node:child_process';

const ports = { backend: process.env.BACKEND_PORT ?? '3001' };

/**
 * The shop's processes, each a Node script run with this same Node (no shell, no executable files:
 * it works in WebContainers too). Add one line to run another part alongside.
 * The backend is TypeScript: scripts/run-ts.mjs compiles it with esbuild and runs it with node,
 * loading backend/src/instrument.ts first, and with --watch rebuilds and restarts it on every save.
 */
const parts = [
  { name: 'backend', color: 36, args: ['scripts/run-ts.mjs', '--watch', '--name', 'backend', '--port', ports.backend, '--import', './backend/src/instrument.ts', 'backend/src/server.ts'] },
  { name: 'frontend', color: 35, args: ['scripts/frontend.mjs'] },
  { name: 'collector', color: 33, args: ['collector/server.mjs'] },
];

const width = Math.max(...parts.map((part) => part.name.length));
const useColor = process.stdout.isTTY || process.env.FORCE_COLOR;
const label = (part) => {
  const text = `[${part.name}]`.padEnd(width + 2);
  return useColor ? `\x1b[${part.color}m${text}\x1b[0m` : text;
};

/**
 * The longest line held back to be printed whole, so parts never interleave mid-line. The
 * collector's framed envelopes (up to ~27 MB) must pass in one piece; longer lines go in pieces.
 */
const MAX_LINE = 32 * 1024 * 1024;

function prefixLines(part, stream) {
  // The current line's pieces, joined once when it ends: a long line costs its length, not its length squared.
  let pieces = [];
  let length = 0;
  const flush = () => {
    const line = pieces.join('');
    pieces = [];
    length = 0;
    process.stdout.write(`${label(part)} ${line.endsWith('\r') ? line.slice(0, -1) : line}\n`);
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      pieces.push(chunk.slice(start, end));
      flush();
      start = end + 1;
    }
    if (start < chunk.length) {
      pieces.push(chunk.slice(start));
      length += chunk.length - start;
      if (length > MAX_LINE) flush();
    }
  });
  stream.on('end', () => length && flush());
}

let stopping = false;
const children = parts.map((part) => {
  // Each part gets a pipe on stdin and ends when it closes (scripts/lib/exit-with-parent.mjs): when
  // dev.mjs goes, so do they, even where stopping it passes no signal on to them.
  const child = spawn(process.execPath, part.args, {
    env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '1', SHOP_PARENT_PIPE: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.on('error', () => {});
  prefixLines(part, child.stdout);
  prefixLines(part, child.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) process.stdout.write(`${label(part)} stopped (${signal ?? `exit code ${code}`}); the other parts keep running.\n`);
  });
  return child;
});

function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    process.exit(0);
  }, 2000).unref();
  Promise.all(children.map((child) => child.exitCode !== null || new Promise((resolve) => child.once('exit', resolve)))).then(() => process.exit(0));
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
