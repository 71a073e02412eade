/** A busy machine, on purpose: one process spinning on each core until stopped. */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

export function startCpuHog(cores = availableParallelism()): { stop: () => void } {
  const spinners = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stop = () => {
    for (const spinner of spinners) spinner.kill('SIGKILL');
  };
  process.once('exit', stop);
  return { stop };
}
