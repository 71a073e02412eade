/**
 * Headers that make the site cross-origin isolated, which WebContainers need (SharedArrayBuffer).
 * One list, used by the dev server, the production server and the static hosts' configs.
 */
export const crossOriginIsolationHeaders: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * No other site may frame the course: a page framing a lesson could dress its buttons ("Take over
 * the shop here", "Reset") as its own and have the learner click them. X-Frame-Options is for
 * browsers without CSP's frame-ancestors.
 */
export const antiFramingHeaders: Record<string, string> = {
  'Content-Security-Policy': "frame-ancestors 'self'",
  'X-Frame-Options': 'SAMEORIGIN',
};

/** What every page of the site is served with, by the course server and by any host. */
export const siteHeaders: Record<string, string> = { ...crossOriginIsolationHeaders, ...antiFramingHeaders };
