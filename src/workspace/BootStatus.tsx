import type { BootProgress, BootStep } from './boot.ts';

const STEPS: { step: BootStep; label: string }[] = [
  { step: 'runtime', label: 'Start the sandbox' },
  { step: 'mount', label: 'Copy the shop’s files' },
  { step: 'install', label: 'Install packages' },
  { step: 'start', label: 'Start backend and frontend' },
];

interface Props {
  progress: BootProgress;
  error: string | null;
  onRetry: () => void;
}

/** What the sandbox is doing right now, in steps the learner can read; never a bare spinner. */
export function BootStatus({ progress, error, onRetry }: Props) {
  const current = STEPS.findIndex(({ step }) => step === progress.step);
  return (
    <div className="boot-status" role="status" aria-live="polite">
      <ol>
        {STEPS.map(({ step, label }, index) => {
          const state = error && index === current ? 'failed' : index < current || progress.step === 'ready' ? 'done' : index === current ? 'active' : 'waiting';
          return (
            <li key={step} data-state={state}>
              <span className="boot-dot" aria-hidden="true" />
              <span>
                {label}
                {index === current && progress.detail && <span className="boot-detail"> · {progress.detail}</span>}
                <span className="visually-hidden"> ({state})</span>
              </span>
            </li>
          );
        })}
      </ol>
      {progress.step === 'install' && !error && (
        <progress className="boot-bar" max={1} value={progress.fraction ?? undefined} aria-label="Installing packages" />
      )}
      {error && (
        <div className="boot-error" role="alert">
          <p>{error}</p>
          <button type="button" className="button primary" onClick={onRetry}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}
