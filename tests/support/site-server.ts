import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The line `npm start` prints for the learner to open. */
export const SIGN_IN_LINE = /(http:\/\/localhost:\d+)\/\?token=([\w-]+)/;

export interface RunningSite {
  /** http://localhost:PORT, no trailing slash. */
  url: string;
  /** The local runtime's WebSocket address. */
  runtimeUrl: string;
  process: ChildProcess;
  /** Its sandboxes' folder (a fresh temporary one unless CTL_SANDBOXES_DIR was given). */
  sandboxesDir: string;
  output: () => string;
  /** What opening the sign-in link answered: its Set-Cookie header and where it sent the browser. */
  setCookie: string;
  signInLocation: string;
  /** What a signed-in page sends: the session cookie and the site's Origin (for Node clients). */
  headers: Record<string, string>;
  /** fetch() as the signed-in browser: `site.fetch('/lessons/01-meet-the-storefront/')`. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /** Signs a Playwright context in, as opening the printed link does. */
  authenticate: (context: BrowserContext) => Promise<void>;
  /** A page in a fresh signed-in context: `const page = await site.newPage(browser, { viewport })`. */
  newPage: (browser: Browser, options?: BrowserContextOptions) => Promise<Page>;
  stop: () => Promise<void>;
}

/**
 * Starts the course's real server (src/server/main.ts) on a free port; the site must be built.
 * It opens the sign-in link the server printed once, as a learner would, and keeps the cookie.
 */
export async function startSite(env: Record<string, string> = {}): Promise<RunningSite> {
  if (!existsSync(`${repoRoot}dist/index.html`)) {
    throw new Error('The site is not built: run `npm run build` first (npm test does it for you).');
  }
  const sandboxesDir = env.CTL_SANDBOXES_DIR ?? mkdtempSync(join(tmpdir(), 'ctl-site-sandboxes-'));
  const child = spawn(process.execPath, ['src/server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', CTL_SANDBOXES_DIR: sandboxesDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const signInUrl = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = SIGN_IN_LINE.exec(output);
      if (match) resolve(match[0]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`site server exited with ${code}:\n${output}`)));
    setTimeout(() => reject(new Error(`site server did not start within 15 s:\n${output}`)), 15_000);
  });
  const url = SIGN_IN_LINE.exec(signInUrl)![1]!;
  const signedIn = await fetch(signInUrl, { redirect: 'manual' });
  const setCookie = signedIn.headers.get('set-cookie') ?? '';
  const cookie = /^([^=]+)=([^;]+)/.exec(setCookie);
  if (signedIn.status !== 303 || !cookie) throw new Error(`signing in with ${signInUrl} failed: ${signedIn.status}`);
  const [, name, value] = cookie as unknown as [string, string, string];
  const headers = { Cookie: `${name}=${value}`, Origin: url };
  const authenticate = (context: BrowserContext) => context.addCookies([{ name, value, url, httpOnly: true, sameSite: 'Strict' }]);
  return {
    url,
    runtimeUrl: `${url.replace('http', 'ws')}/__runtime`,
    process: child,
    sandboxesDir,
    output: () => output,
    setCookie,
    signInLocation: signedIn.headers.get('location') ?? '',
    headers,
    fetch: (path, init = {}) => fetch(`${url}${path}`, { ...init, headers: { Cookie: headers.Cookie, ...(init.headers as Record<string, string>) } }),
    authenticate,
    async newPage(browser, options) {
      const context = await browser.newContext(options);
      await authenticate(context);
      const page = await context.newPage();
      page.once('close', () => void context.close().catch(() => undefined));
      return page;
    },
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
