/**
 * Headers that make the site cross-origin isolated, which WebContainers need (SharedArrayBuffer).
 * One list, used by the dev server, the production server and the static hosts' configs.
 */
export const crossOriginIsolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
