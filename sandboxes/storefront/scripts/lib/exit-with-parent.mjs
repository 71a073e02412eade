// Ends this process when the process that started it ends. scripts/dev.mjs and run-ts.mjs give
// each part a pipe on stdin and set SHOP_PARENT_PIPE; when the parent goes (Ctrl-C, a kill, a crash,
// or a WebContainer ending it without passing signals on), the pipe closes and so does this part,
// letting go of its port. Loaded with `--import` or imported first; it keeps nothing else alive.
if (process.env.SHOP_PARENT_PIPE === '1') {
  // Only for this process: a program it starts has a parent of its own to follow.
  delete process.env.SHOP_PARENT_PIPE;
  if (!process.stdin.isTTY) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
    process.stdin.unref?.();
  }
}
