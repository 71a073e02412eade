import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningSite {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the course's real server (src/server/main.ts) on a free port; the site must be built. */
export async function startSite(env: Record<string, string> = {}): Promise<RunningSite> {
  if (!existsSync(`${repoRoot}dist/index.html`)) {
    throw new Error('The site is not built: run `npm run build` first (npm test does it for you).');
  }
  const child = spawn(process.execPath, ['src/server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+?)\/?\s/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`site server exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`site server did not start within 15 s:\n${output}`)), 15_000);
  });
  return {
    url,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Builds another copy of the site with `env` (a DSN, the test harness page) into a temporary
 * folder, for startSite({ CTL_SITE_DIR }). The packages snapshot comes from the build cache.
 */
export function buildSiteCopy(env: Record<string, string>): string {
  const outDir = mkdtempSync(join(tmpdir(), 'ctl-site-copy-'));
  const build = spawnSync(process.execPath, [`${repoRoot}node_modules/astro/bin/astro.mjs`, 'build', '--silent'], {
    cwd: repoRoot,
    env: { ...process.env, ...env, CTL_OUT_DIR: outDir },
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building a copy of the site failed:\n${build.stdout}\n${build.stderr}`);
  return outDir;
}
