/**
 * Which runtime runs the sandbox: WebContainers where they can boot, else the local runtime when
 * the page was served by the course's own server, else a clear message. The learner can force
 * one (saved in their browser) or pass `?runtime=local|webcontainer` in the URL.
 */
import { RuntimeError, type Runtime } from './types.ts';

export type RuntimePreference = 'auto' | 'webcontainer' | 'local';

const PREFERENCE_KEY = 'ctl:runtime';
/** A WebContainer that has not booted by then is not going to: fall back instead of spinning. */
export const WEBCONTAINER_BOOT_TIMEOUT_MS = 8_000;

export function readPreference(): RuntimePreference {
  const fromUrl = new URLSearchParams(location.search).get('runtime');
  const value = fromUrl ?? localStorage.getItem(PREFERENCE_KEY);
  return value === 'webcontainer' || value === 'local' ? value : 'auto';
}

export function savePreference(preference: RuntimePreference): void {
  localStorage.setItem(PREFERENCE_KEY, preference);
}

/** The course's own server puts a per-launch token in the page; a static host does not. */
export function localRuntimeToken(): string | null {
  return document.querySelector<HTMLMetaElement>('meta[name="ctl-local-runtime"]')?.content || null;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RuntimeError(message, 'spawn-failed')), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

async function connectLocal(token: string): Promise<Runtime> {
  const { connectLocalRuntime } = await import('./local/client.ts');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/__runtime`;
  return connectLocalRuntime(url, token);
}

async function bootWebContainerInTime(): Promise<Runtime> {
  const { bootWebContainer } = await import('./webcontainer.ts');
  return withTimeout(
    bootWebContainer(),
    WEBCONTAINER_BOOT_TIMEOUT_MS,
    `WebContainers did not start within ${WEBCONTAINER_BOOT_TIMEOUT_MS / 1000} s (they need StackBlitz's service on the internet).`,
  );
}

export interface ChosenRuntime {
  runtime: Runtime;
  /** Why the first choice was not used, for the learner to read; empty when it was. */
  fallbackReason?: string;
}

export async function chooseRuntime(preference: RuntimePreference = readPreference()): Promise<ChosenRuntime> {
  const token = localRuntimeToken();
  if (preference === 'local') {
    if (!token) throw new RuntimeError(noLocalRuntimeHelp, 'unauthorized');
    return { runtime: await connectLocal(token) };
  }
  try {
    return { runtime: await bootWebContainerInTime() };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (preference === 'webcontainer' || !token) {
      throw new RuntimeError(`${reason}\n\n${token ? '' : noLocalRuntimeHelp}`.trim(), 'spawn-failed');
    }
    return { runtime: await connectLocal(token), fallbackReason: reason };
  }
}

const noLocalRuntimeHelp =
  'To run the shop on your own computer instead, clone the course and run `npm install && npm start`, ' +
  'then open http://localhost:4321/. In-browser WebContainers need a recent Chromium-based browser, Firefox or Safari 16.4+, ' +
  'and access to StackBlitz\u2019s service.';
