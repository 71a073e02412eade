import { useEffect, useRef, useState } from 'react';
import type { Runtime, SandboxProcess } from '../runtime/types.ts';
import { forEachChunk } from '../runtime/process-output.ts';

interface Props {
  runtime: Runtime | null;
  /** Where the simulator's lines go (the Terminal). */
  onOutput: (text: string) => void;
}

const RATES = [10, 30, 60, 120];

/** Starts and stops the sandbox's shopper simulator (`npm run shoppers`), the traffic dashboards chart. */
export function ShoppersControl({ runtime, onOutput }: Props) {
  const [rate, setRate] = useState(60);
  const [running, setRunning] = useState(false);
  const process = useRef<SandboxProcess | null>(null);

  const stop = () => {
    process.current?.kill();
    process.current = null;
    setRunning(false);
  };

  // A new sandbox (reboot, runtime switch) ends the old simulator with it.
  useEffect(() => stop, [runtime]);

  const start = async (perMinute = rate) => {
    if (!runtime) return;
    stop();
    setRunning(true);
    const started = await runtime.spawn('npm', ['run', '--silent', 'shoppers', '--', '--rate', String(perMinute)]);
    process.current = started;
    void forEachChunk(started, (chunk) => onOutput(chunk.replace(/^(?=.)/gm, '\x1b[32m[shoppers]\x1b[0m ')));
    void started.exit.then(() => {
      if (process.current !== started) return;
      process.current = null;
      setRunning(false);
    });
  };

  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of controls, not a form to fill in.
    <div className="shoppers" role="group" aria-label="Shopper simulator">
      <button type="button" className="button" aria-pressed={running} disabled={!runtime} onClick={() => (running ? stop() : void start())}>
        {running ? 'Stop shoppers' : 'Start shoppers'}
      </button>
      <label>
        <span className="visually-hidden">Shoppers per minute</span>
        <select
          aria-label="Shoppers per minute"
          value={rate}
          onChange={(event) => {
            const next = Number(event.target.value);
            setRate(next);
            if (running) void start(next);
          }}
        >
          {RATES.map((r) => (
            <option key={r} value={r}>
              {r} / min
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
