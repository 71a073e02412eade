import type { BootStep } from '../session/boot.ts';
import { courseSession, type SessionState } from '../session/course-session.ts';

const STEPS: { step: BootStep; label: string }[] = [
  { step: 'runtime', label: 'Start the sandbox' },
  { step: 'mount', label: 'Copy the shop’s packages and files' },
  { step: 'install', label: 'Install packages' },
  { step: 'start', label: 'Start backend and frontend' },
];

interface Props {
  boot: SessionState['boot'];
  preference: SessionState['preference'];
  localAvailable: boolean;
  onRetry: () => void;
  onRestartShop: () => void;
  onUseLocal: () => void;
}

/** What the sandbox is doing right now, in steps the learner can read; never a bare spinner. */
export function BootStatus({ boot, preference, localAvailable, onRetry, onRestartShop, onUseLocal }: Props) {
  const current = STEPS.findIndex(({ step }) => step === boot.step);
  const { error } = boot;
  // The sandbox went away after the shop had started (the course server was stopped, another tab
  // took the shop over): no boot step failed, so none is shown as failed, or as done.
  const lost = Boolean(error) && boot.step === 'ready';
  // Auto already runs the shop on this computer wherever it can: only a learner who chose the
  // browser is offered this computer instead.
  const offerLocal = localAvailable && preference === 'webcontainer';
  return (
    <div className="boot-status" role="status" aria-live="polite" data-slow={boot.slow || undefined} data-lost={lost || undefined}>
      {lost && <p className="boot-lost">The shop was running, then its sandbox stopped.</p>}
      {!lost && (
        <ol>
          {STEPS.map(({ step, label }, index) => {
            const state =
              error && index === Math.max(current, 0) ? 'failed' : index < current || boot.step === 'ready' ? 'done' : index === current ? 'active' : 'waiting';
            const detail = step === 'install' && index > current ? 'skipped unless package.json changes' : index === current ? boot.detail : undefined;
            return (
              <li key={step} data-state={state}>
                <span className="boot-dot" aria-hidden="true" />
                <span>
                  {label}
                  {detail && <span className="boot-detail"> · {detail}</span>}
                  <span className="visually-hidden"> ({state})</span>
                </span>
              </li>
            );
          })}
        </ol>
      )}
      {(boot.step === 'install' || boot.step === 'mount') && !error && boot.fraction !== undefined && (
        <progress className="boot-bar" max={1} value={boot.fraction} aria-label={boot.step === 'mount' ? 'Copying packages' : 'Installing packages'} />
      )}
      {boot.slow && !error && (
        <div className="boot-slow">
          <p>WebContainers are still starting. They need StackBlitz’s service on the internet, which can take a while on a slow network.</p>
          <p>You can keep waiting{offerLocal ? ', or run the shop on this computer instead' : ''}.</p>
          {offerLocal && (
            <button type="button" className="button" onClick={onUseLocal}>
              Run on this computer instead
            </button>
          )}
        </div>
      )}
      {error && (
        <div className="boot-error" role="alert">
          <p>{error.message}</p>
          {error.output && (
            <details open>
              <summary>What the failing step printed</summary>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable from the keyboard to scroll. */}
              <pre className="boot-output" tabIndex={0}>
                {error.output
                  .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
                  .trim()
                  .split('\n')
                  .slice(-30)
                  .join('\n')}
              </pre>
            </details>
          )}
          <div className="boot-actions">
            {error.code === 'busy' && (
              <button type="button" className="button primary" onClick={() => void courseSession().takeOver()}>
                Take over the shop here
              </button>
            )}
            {error.step === 'start' && (
              <button type="button" className="button primary" onClick={onRestartShop}>
                Restart the shop
              </button>
            )}
            <button type="button" className={error.step === 'start' || error.code === 'busy' ? 'button' : 'button primary'} onClick={onRetry}>
              {error.step === 'start' ? 'Start over in a fresh sandbox' : 'Try again'}
            </button>
            {offerLocal && error.step === 'runtime' && (
              <button type="button" className="button" onClick={onUseLocal}>
                Run on this computer instead
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}
