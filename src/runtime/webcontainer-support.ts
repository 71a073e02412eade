/**
 * Whether this browser can run WebContainers at all, asked before a boot is tried: a page that is
 * not cross-origin isolated, a browser without SharedArrayBuffer, or iOS/iPadOS (where every
 * browser is WebKit with the limits StackBlitz documents) gets a reason and what to do instead,
 * never a boot that hangs.
 */

/** What the guard reads from the page; the real page passes its globals. */
export interface BrowserTraits {
  crossOriginIsolated: boolean | undefined;
  sharedArrayBuffer: boolean;
  userAgent: string;
  /** iPadOS reports itself as a Mac; touch points tell them apart. */
  maxTouchPoints: number;
}

export const pageTraits = (): BrowserTraits => ({
  crossOriginIsolated: typeof crossOriginIsolated === 'undefined' ? undefined : crossOriginIsolated,
  sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  userAgent: navigator.userAgent,
  maxTouchPoints: navigator.maxTouchPoints ?? 0,
});

const WHAT_TO_DO =
  'Open the course in a desktop Chrome, Edge, Firefox or Safari 16.4+, or run it on your own computer: ' +
  'clone the course and run `npm install && npm start`.';

/** Why WebContainers cannot run in this browser, or null when they may. */
export function webContainerUnsupported(traits: BrowserTraits): string | null {
  const apple = /iPhone|iPad|iPod/.test(traits.userAgent) || (/Macintosh/.test(traits.userAgent) && traits.maxTouchPoints > 1);
  if (apple) return `WebContainers do not run on iPhone or iPad browsers. ${WHAT_TO_DO}`;
  if (!traits.sharedArrayBuffer) return `This browser has no SharedArrayBuffer, which WebContainers need. ${WHAT_TO_DO}`;
  if (traits.crossOriginIsolated === false) {
    return (
      'This page is not cross-origin isolated, so WebContainers cannot start here: whoever hosts the course must send ' +
      '`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` with every page (README: Hosting). ' +
      WHAT_TO_DO
    );
  }
  return null;
}
