/**
 * A reference lesson page to measure ours against: TutorialKit's starter (the `template/` of the
 * `@tutorialkit/cli` npm package), installed and built once into .cache/tutorialkit-reference/.
 * Nothing of it is committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TUTORIALKIT_VERSION = '1.6.0';
/** Its one lesson, as a learner opens it. */
export const TUTORIALKIT_LESSON = '/1-basics/1-introduction/1-welcome/';

const cache = fileURLToPath(new URL(`../../.cache/tutorialkit-reference/${TUTORIALKIT_VERSION}/`, import.meta.url));

/** The built reference site's folder (its dist/), building it first if needed. */
export function tutorialKitReference(): string {
  const dist = join(cache, 'template', 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  rmSync(cache, { recursive: true, force: true });
  mkdirSync(cache, { recursive: true });
  const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`building the TutorialKit ${TUTORIALKIT_VERSION} starter as a reference (once)…`);
  run('npm', ['pack', `@tutorialkit/cli@${TUTORIALKIT_VERSION}`, '--silent'], cache);
  run('tar', ['xzf', `tutorialkit-cli-${TUTORIALKIT_VERSION}.tgz`], cache);
  renameSync(join(cache, 'package', 'template'), join(cache, 'template'));
  const template = join(cache, 'template');
  for (const lock of ['pnpm-lock.yaml', 'yarn.lock']) rmSync(join(template, lock), { force: true });
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], template);
  // `npm run build` would run `astro check` first; the page is what matters here.
  run(process.execPath, ['node_modules/astro/astro.js', 'build', '--silent'], template);
  return dist;
}
