/**
 * Which runtime runs the sandbox. Auto: on a page served by the course's own server (`npm start`),
 * the local runtime, at once (it is right there, and WebContainers would only add a wait for
 * StackBlitz's service); on a static host, WebContainers. The learner can choose either (saved in
 * their browser) or pass `?runtime=local|webcontainer` in the URL.
 *
 * A WebContainer boot is never abandoned and never started twice (webcontainer.ts). When it is
 * slow, the learner is told it is still starting and may keep waiting or switch.
 */
import { SHOP_PORTS } from '../sandbox/shop.ts';
import type { Claimed } from './local/protocol.ts';
import { RuntimeError, type Runtime } from './types.ts';

export type RuntimePreference = 'auto' | 'webcontainer' | 'local';

const PREFERENCE_KEY = 'ctl:runtime';
/** After this long, a WebContainer boot is reported as slow (it keeps going). */
export const SLOW_BOOT_MS = 8_000;

export function readPreference(): RuntimePreference {
  const fromUrl = new URLSearchParams(location.search).get('runtime');
  const value = fromUrl ?? localStorage.getItem(PREFERENCE_KEY);
  return value === 'webcontainer' || value === 'local' ? value : 'auto';
}

/** This tab's claim on the local runtime's sandbox (sessionStorage: per tab, kept across a reload). */
const CLAIMED_KEY = 'ctl:sandbox';

function readClaimed(): Claimed | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(CLAIMED_KEY) ?? 'null') as Claimed | null;
    return typeof value?.sandboxId === 'string' && typeof value.token === 'string' ? value : null;
  } catch {
    return null;
  }
}

export function savePreference(preference: RuntimePreference): void {
  localStorage.setItem(PREFERENCE_KEY, preference);
}

/**
 * The course's own server marks the pages it serves (no secret: the page proves its session with
 * the key the sign-in page kept in this origin's storage, see local/client.ts); a static host does not.
 */
export function localRuntimeServed(): boolean {
  return document.querySelector('meta[name="ctl-local-runtime"]') !== null;
}

export interface RuntimeSources {
  localAvailable: () => boolean;
  connectLocal: () => Promise<Runtime>;
  bootWebContainer: () => Promise<Runtime>;
}

/** The real sources: this page's local runtime bridge and the page's one WebContainer. */
export const pageRuntimeSources: RuntimeSources = {
  localAvailable: localRuntimeServed,
  async connectLocal() {
    if (!localRuntimeServed()) throw new RuntimeError(noLocalRuntimeHelp, 'unauthorized');
    const { connectLocalRuntime, pageRuntimeUrl } = await import('./local/client.ts');
    // The sandbox outlives a reload of this tab for a moment: the tab keeps how to take it back.
    const runtime = await connectLocalRuntime(pageRuntimeUrl(), { ports: SHOP_PORTS, keepForReload: true, resume: readClaimed() });
    sessionStorage.setItem(CLAIMED_KEY, JSON.stringify(runtime.claimed));
    return runtime;
  },
  async bootWebContainer() {
    const { bootWebContainer } = await import('./webcontainer.ts');
    return bootWebContainer();
  },
};

export interface ChosenRuntime {
  runtime: Runtime;
}

export interface ChooseOptions {
  sources?: RuntimeSources;
  slowAfterMs?: number;
  /** The WebContainer boot passed `slowAfterMs` and this choice keeps waiting for it. */
  onSlow?: () => void;
}

export async function chooseRuntime(
  preference: RuntimePreference,
  { sources = pageRuntimeSources, slowAfterMs = SLOW_BOOT_MS, onSlow }: ChooseOptions = {},
): Promise<ChosenRuntime> {
  const local = sources.localAvailable();
  if (preference === 'local' || (preference === 'auto' && local)) {
    if (!local) throw new RuntimeError(noLocalRuntimeHelp, 'unauthorized');
    return { runtime: await sources.connectLocal() };
  }
  const booting = sources.bootWebContainer();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<'slow'>((resolve) => (timer = setTimeout(() => resolve('slow'), slowAfterMs)));
  try {
    const first = await Promise.race([booting, slow]);
    if (first !== 'slow') return { runtime: first };
    onSlow?.();
    return { runtime: await booting };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RuntimeError(local ? reason : `${reason}\n\n${noLocalRuntimeHelp}`, 'spawn-failed');
  } finally {
    clearTimeout(timer);
  }
}

export const noLocalRuntimeHelp =
  'To run the shop on your own computer instead, clone the course and run `npm install && npm start`, ' +
  'then open the address it prints. In-browser WebContainers need a recent Chromium-based browser, Firefox or Safari 16.4+, ' +
  'and access to StackBlitz\u2019s service.';
