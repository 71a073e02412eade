/**
 * What the sandbox's Node can do (the shop's scripts/probe.mjs, run at boot) and what a missing
 * capability means for the course. An in-browser WebContainer's Node is Node compiled for the
 * browser; where it lacks something, the learner is told which lessons it affects instead of
 * meeting a failure no one explains.
 */
import { z } from 'zod';

const capability = z.object({ ok: z.boolean(), detail: z.string().optional() });
export const probeReport = z.object({ node: z.string(), capabilities: z.record(z.string(), capability) });
export type ProbeReport = z.infer<typeof probeReport>;

export interface MissingCapability {
  name: string;
  detail?: string;
  /** What the learner will notice. */
  effect: string;
  /** Lesson ids whose checks cannot pass without it (empty: nothing breaks, something is slower or missing). */
  lessons: string[];
}

/** Capabilities the course relies on, and what goes without each. Others the probe reports are for information. */
const EFFECTS: Record<string, Omit<MissingCapability, 'name' | 'detail'>> = {
  httpServerChannel: {
    effect: 'the backend sends no request spans, so backend traces stay empty',
    lessons: ['02-trace-the-backend', '03-trace-the-frontend', '06-something-broke', '07-follow-the-full-trace'],
  },
  tracingChannel: {
    effect: 'backend spans carry no Express route names',
    lessons: ['02-trace-the-backend'],
  },
  sourceMaps: {
    effect: 'backend errors point at compiled files instead of your .ts lines',
    lessons: ['06-something-broke', '07-follow-the-full-trace'],
  },
  fileWatch: {
    effect: 'saved changes reach the preview only when you reload it',
    lessons: [],
  },
  commands: {
    effect: 'package commands (npx vitest, npx vite) do not run in the Shell; npm scripts still do',
    lessons: [],
  },
};

/** Reads the probe's output (its last JSON line); null when it printed none. */
export function readProbe(output: string): ProbeReport | null {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((text) => text.trim().startsWith('{'));
  if (!line) return null;
  try {
    const parsed = probeReport.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function missingCapabilities(report: ProbeReport): MissingCapability[] {
  return Object.entries(EFFECTS)
    .filter(([name]) => report.capabilities[name]?.ok === false)
    .map(([name, effect]) => ({ name, detail: report.capabilities[name]?.detail, ...effect }));
}

/** Missing capabilities that a lesson's checks need. */
export const missingFor = (missing: MissingCapability[], lessonId: string) => missing.filter((entry) => entry.lessons.includes(lessonId));
