import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { KEY_STORAGE_ITEM } from '../../src/runtime/local/protocol.ts';
import type { PageCredentials } from '../../src/server/access.ts';
import { scratchDir } from '../../src/runtime/local/sandbox-folders.ts';

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
  /** What signing in with the printed link answered: its Set-Cookie header and where it sent the browser. */
  setCookie: string;
  signInLocation: string;
  /** What a signed-in page sends: the session cookie and the site's Origin (for Node clients). */
  headers: PageCredentials['headers'];
  /** The session's key, which the page keeps in localStorage and offers in the runtime's handshake. */
  key: string;
  /** Both, as connectLocalRuntime takes them: `connectLocalRuntime(site.runtimeUrl, site.credentials)`. */
  credentials: PageCredentials;
  /** Types a line where `npm start` runs: "" for a new link, "signout" to sign every browser out. */
  type: (line: string) => void;
  /** A new sign-in link, as pressing Enter prints one. */
  newSignInLink: () => Promise<string>;
  /** fetch() as the signed-in browser: `site.fetch('/lessons/01-meet-the-storefront/')`. */
  fetch: (path: string, init?: RequestInit) => Promise<Response>;
  /** Signs a Playwright context in, as opening the printed link does. */
  authenticate: (context: BrowserContext) => Promise<void>;
  /** A page in a fresh signed-in context: `const page = await site.newPage(browser, { viewport })`. */
  newPage: (browser: Browser, options?: BrowserContextOptions) => Promise<Page>;
  stop: () => Promise<void>;
}

/**
 * Runs `npm start`'s server (src/server/main.ts) with exactly `env`: its output so far, and the
 * sign-in link it prints (null when it exits first).
 */
export function launchCourse(env: Record<string, string>): { child: ChildProcess; output: () => string; link: Promise<string | null> } {
  const child = spawn(process.execPath, ['src/server/main.ts'], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const link = new Promise<string | null>((resolve) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      const match = SIGN_IN_LINE.exec(output);
      if (match) resolve(match[0]);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', () => resolve(null));
  });
  return { child, output: () => output, link };
}

/**
 * Starts the course's real server (src/server/main.ts) on a free port; the site must be built.
 * It opens the sign-in link the server printed once, as a learner would, and keeps the cookie.
 */
/** A file as the sandbox holds it now, or undefined (each sandbox folder under the course's is one workspace). */
export async function sandboxFile(sandboxesDir: string, path: string): Promise<string | undefined> {
  for (const sandbox of await readdir(sandboxesDir).catch(() => [])) {
    const text = await readFile(join(sandboxesDir, sandbox, path), 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
  }
  return undefined;
}

export async function startSite(env: Record<string, string> = {}): Promise<RunningSite> {
  if (!existsSync(`${repoRoot}dist/index.html`)) {
    throw new Error('The site is not built: run `npm run build` first (npm test does it for you).');
  }
  const sandboxesDir = env.CTL_SANDBOXES_DIR ?? mkdtempSync(join(scratchDir(), 'ctl-site-sandboxes-'));
  const launched = launchCourse({ ...process.env, PORT: '0', CTL_SANDBOXES_DIR: sandboxesDir, ...env } as Record<string, string>);
  const { child } = launched;
  const output = launched.output;
  const signInUrl = await Promise.race([launched.link, new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000))]);
  if (!signInUrl) throw new Error(`site server did not start (exit code ${child.exitCode}):\n${output()}`);
  const url = SIGN_IN_LINE.exec(signInUrl)![1]!;
  const { setCookie, location: signInLocation, key } = await signIn(url, signInUrl);
  const cookie = /^([^=]+)=([^;]+)/.exec(setCookie);
  if (!cookie) throw new Error(`signing in with ${signInUrl} set no cookie: ${setCookie}`);
  const [, name, value] = cookie as unknown as [string, string, string];
  const headers = { Cookie: `${name}=${value}`, Origin: url };
  const authenticate = async (context: BrowserContext) => {
    await context.addCookies([{ name, value, url, httpOnly: true, sameSite: 'Strict' }]);
    // What the sign-in page leaves in the site's origin (and only there).
    await context.addInitScript(
      ({ origin, item, key }) => {
        if (location.origin === origin) localStorage.setItem(item, key);
      },
      { origin: url, item: KEY_STORAGE_ITEM, key },
    );
  };
  const type = (line: string) => void child.stdin!.write(`${line}\n`);
  return {
    url,
    runtimeUrl: `${url.replace('http', 'ws')}/__runtime`,
    process: child,
    sandboxesDir,
    output,
    setCookie,
    signInLocation,
    headers,
    key,
    credentials: { headers, key },
    type,
    async newSignInLink() {
      const links = () => output().match(new RegExp(SIGN_IN_LINE.source, 'g')) ?? [];
      const before = links().length;
      type('');
      const deadline = Date.now() + 5000;
      while (links().length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const link = links()[before];
      if (!link) throw new Error(`no new sign-in link was printed:\n${output()}`);
      return link;
    },
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
 * Signs in with a link as the sign-in page's script does: the page (which uses nothing up), then
 * the token posted from the site's own origin. The session's cookie, the page's next address and its key.
 */
export async function signIn(url: string, link: string): Promise<{ setCookie: string; location: string; key: string }> {
  const page = await fetch(link);
  if (page.status !== 200) throw new Error(`the sign-in link ${link} answered ${page.status}`);
  const answer = await fetch(`${url}/__sign-in`, {
    method: 'POST',
    headers: { Origin: url, 'Content-Type': 'application/json' },
    body: JSON.stringify({ href: link }),
  });
  const body = (await answer.json()) as { key?: string; location?: string; reason?: string };
  if (answer.status !== 200 || !body.key) throw new Error(`signing in with ${link} failed: ${answer.status} ${body.reason ?? ''}`);
  return { setCookie: answer.headers.get('set-cookie') ?? '', location: body.location ?? '', key: body.key };
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
