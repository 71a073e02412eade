/**
 * The workspace as the course's hosts see it: each boot a trace with a span per step (the runtime,
 * the packages and files, an install if any, the shop's start), each Check a span with its result
 * counts, boot failures and check-runner crashes as errors naming their step. Derived from the
 * course session's state, which knows nothing of Sentry.
 */
import * as Sentry from '@sentry/browser';
import type { CourseSession, SessionState } from '../session/course-session.ts';

type Span = ReturnType<typeof Sentry.startInactiveSpan>;

/** A boot that failed, by step; the learner's output that came with it stays in the page. */
export class BootFailure extends Error {
  override name = 'BootFailure';
}
/** The checks could not run at all (not: the checks ran and failed). */
export class CheckRunnerFailure extends Error {
  override name = 'CheckRunnerFailure';
}

const STEP_NAMES: Record<string, string> = {
  runtime: 'Start the sandbox runtime',
  mount: 'Mount the packages snapshot and the lesson files',
  install: 'npm install',
  start: 'Start the shop',
};

export function reportSession(session: Pick<CourseSession, 'subscribe' | 'getState'>): () => void {
  let previous: SessionState = session.getState();
  let boot: { root: Span; step: Span; stepName: string } | null = null;
  let check: Span | null = null;

  const context = (state: SessionState) => ({
    'lesson.id': state.lessonId ?? '',
    'runtime.kind': state.runtimeKind ?? 'none',
    ...(state.capabilities && { 'sandbox.node': state.capabilities.node, 'sandbox.missing': state.missing.map((entry) => entry.name).join(',') || 'none' }),
  });
  const startStep = (root: Span, step: string) => Sentry.startInactiveSpan({ name: STEP_NAMES[step] ?? step, op: `workspace.boot.${step}`, parentSpan: root });

  const onChange = () => {
    const state = session.getState();
    const { step, error } = state.boot;

    // A boot (or a restart of the shop) is under way: each gets a trace of its own.
    if (!boot && !error && step !== 'ready' && state.lessonId) {
      const root = Sentry.startNewTrace(() =>
        Sentry.startInactiveSpan({ name: 'Boot the workspace', op: 'workspace.boot', forceTransaction: true, attributes: context(state) }),
      );
      boot = { root, step: startStep(root, step), stepName: step };
    }
    // What real browsers' sandboxes lack, so a host learns it (see src/sandbox/capabilities.ts).
    if (state.capabilities && state.capabilities !== previous.capabilities) {
      const missing = state.missing.map((entry) => entry.name);
      Sentry.setContext('sandbox', { node: state.capabilities.node, missing, ...state.capabilities.capabilities });
      Sentry.setTag('sandbox.missing', missing.join(',') || 'none');
      if (missing.length) Sentry.captureMessage(`The sandbox lacks ${missing.join(', ')}`, { level: 'warning', tags: context(state) });
    }
    if (boot) {
      boot.root.setAttributes(context(state));
      if (state.boot.slow) boot.root.setAttribute('boot.slow', true);
      if (error) {
        boot.step.setStatus({ code: 2, message: 'internal_error' });
        boot.step.end();
        boot.root.setStatus({ code: 2, message: 'internal_error' });
        boot.root.end();
        Sentry.captureException(new BootFailure(`The workspace could not boot: the ${error.step} step failed. ${error.message}`), {
          tags: { 'boot.step': error.step, ...context(state) },
        });
        boot = null;
      } else if (step !== boot.stepName) {
        boot.step.end();
        if (step === 'ready') {
          boot.root.setStatus({ code: 1 });
          boot.root.end();
          boot = null;
        } else {
          boot.step = startStep(boot.root, step);
          boot.stepName = step;
        }
      }
    }

    if (state.check.running && !previous.check.running) {
      check = Sentry.startNewTrace(() =>
        Sentry.startInactiveSpan({ name: 'Check', op: 'workspace.check', forceTransaction: true, attributes: context(state) }),
      );
    } else if (!state.check.running && previous.check.running && check) {
      const run = state.check.run;
      const count = (status: string) => run?.results.filter((result) => result.status === status).length ?? 0;
      check.setAttributes({
        'check.passed': run?.passed ?? false,
        'check.results.passed': count('passed'),
        'check.results.failed': count('failed'),
        'check.results.skipped': count('skipped'),
      });
      const crashed = run?.results.length === 1 && run.results[0]!.name === 'Run the checks' && run.results[0]!.status === 'failed';
      check.setStatus(crashed ? { code: 2, message: 'internal_error' } : { code: 1 });
      check.end();
      if (crashed) Sentry.captureException(new CheckRunnerFailure('The checks could not run'), { tags: context(state) });
      check = null;
    }
    previous = state;
  };
  onChange();
  return session.subscribe(onChange);
}
