/**
 * The shop's fixed facts as the course sees them, in one place: its ports and addresses, the
 * scripts the course runs in it, and where its parts report their state. The shop itself reads its
 * ports from the environment with these defaults (backend/src/server.ts, frontend/vite.config.ts,
 * collector/server.mjs), so it also runs alone.
 */
import type { PartStatus, Problem } from '../../sandboxes/storefront/scripts/lib/status.mjs';

export { fingerprint, sourcesMatch, statusFile, type PartStatus, type Problem } from '../../sandboxes/storefront/scripts/lib/status.mjs';

export const FRONTEND_PORT = 5173;
export const BACKEND_PORT = 3001;
export const COLLECTOR_PORT = 8969;
/** Every port the shop listens on: only one sandbox on a computer can run it. */
export const SHOP_PORTS = [FRONTEND_PORT, BACKEND_PORT, COLLECTOR_PORT];

export const FRONTEND_URL = `http://127.0.0.1:${FRONTEND_PORT}`;
export const BACKEND_URL = `http://127.0.0.1:${BACKEND_PORT}`;
export const COLLECTOR_URL = `http://127.0.0.1:${COLLECTOR_PORT}`;
export const DSN = `http://public@localhost:${COLLECTOR_PORT}/1`;

/**
 * The scripts the course runs in the shop, each as `node <file>` (no shell, no executable files,
 * no npm between the course and the process it may need to stop).
 */
export const SHOP_SCRIPTS = {
  /** Right after the files are mounted (both runtimes): makes node_modules/.bin runnable again. */
  afterMount: 'scripts/after-mount.mjs',
  /** What this sandbox's Node can do (scripts/probe.mjs). */
  probe: 'scripts/probe.mjs',
  /** The shop: backend, frontend and collector (`npm run dev`). */
  dev: 'scripts/dev.mjs',
  /** The shopper simulator (`npm run shoppers`), restarted when its code changes; add `--rate <per minute>`. */
  shoppers: ['scripts/run-ts.mjs', '--watch', 'scripts/shoppers.ts'],
} as const;

/** What the course names the processes it starts in the sandbox, so a reloaded page finds them again (Runtime.resumed). */
export const PROCESS_NAMES = { shop: 'shop', shell: 'shell', shoppers: 'shoppers', checks: 'checks' } as const;

/** Tells the shop's parts to report their state in their output, for the course to read. */
export const STATUS_FRAMES_ENV = { SHOP_STATUS_FRAMES: '1' };

/** The parts of the shop, as they name themselves in their status. */
export const BACKEND = 'backend';
export const FRONTEND = 'frontend';

/** A part's failure, as the workspace shows it: in the status line and as a marker at its line. */
export interface ShopProblem extends Problem {
  part: string;
}

/** Every part that failed, with where and why. */
export const shopProblems = (parts: Record<string, PartStatus>): ShopProblem[] =>
  Object.values(parts).flatMap((status) => (status.state === 'failed' ? [{ part: status.name, message: 'see Shop output', ...status.problem }] : []));
