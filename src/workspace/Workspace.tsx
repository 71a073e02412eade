import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { chooseRuntime, readPreference, savePreference, type RuntimePreference } from '../runtime/choose-runtime.ts';
import type { Runtime, SandboxProcess } from '../runtime/types.ts';
import { BootError, bootSandbox, type BootProgress } from './boot.ts';
import { BootStatus } from './BootStatus.tsx';
import { CodeEditor } from './CodeEditor.tsx';
import { FileTree } from './FileTree.tsx';
import { OutputLog } from './output-log.ts';
import { makeResizable } from './resizable.ts';
import { PreviewPanel } from './PreviewPanel.tsx';
import { clearBeforeSolution, clearEdits, keepBeforeSolution, loadBeforeSolution, loadEdits, saveEdit, type FileMap } from './saved-edits.ts';
import { TerminalView } from './TerminalView.tsx';
import { TelemetryPanel } from '../panels/TelemetryPanel.tsx';
import { runChecks, type CheckRun } from '../lessons/run-checks.ts';
import { markCompleted } from '../lessons/progress.ts';
import { ChecksPanel } from './ChecksPanel.tsx';
import { CollectorFrameReader } from '../telemetry/collector-frames.ts';
import { TelemetryStore } from '../telemetry/store.ts';
import './workspace.css';

interface Props {
  lessonId: string;
  focus: string[];
}

interface LessonSandbox {
  start: FileMap;
  solution: FileMap;
  checks: FileMap;
}

type Panel = 'preview' | 'output' | 'shell' | 'telemetry' | 'checks';

/** Files a learner has no reason to open in the editor. */
const isEditable = (path: string) => path !== 'package-lock.json';
const SAVE_DELAY_MS = 300;

export default function Workspace({ lessonId, focus }: Props) {
  const [sandbox, setSandbox] = useState<LessonSandbox | null>(null);
  const [files, setFiles] = useState<FileMap>({});
  const [active, setActive] = useState(focus[0] ?? '');
  const [openTabs, setOpenTabs] = useState<string[]>(focus.slice(0, 3));
  const [runtime, setRuntime] = useState<Runtime | null>(null);
  const [fallbackReason, setFallbackReason] = useState<string>();
  const [progress, setProgress] = useState<BootProgress>({ step: 'runtime' });
  const [bootError, setBootError] = useState<string | null>(null);
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const [panel, setPanel] = useState<Panel>('preview');
  const [preference, setPreference] = useState<RuntimePreference>('auto');
  const [bootAttempt, setBootAttempt] = useState(0);
  const [solutionOpen, setSolutionOpen] = useState(false);
  const [checkRun, setCheckRun] = useState<CheckRun | null>(null);
  const [checking, setChecking] = useState(false);
  const output = useMemo(() => new OutputLog(), []);
  const telemetry = useMemo(() => new TelemetryStore(), []);
  const [reveal, setReveal] = useState<{ line: number }>();
  const pendingWrites = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const runtimeRef = useRef<Runtime | null>(null);
  const wsRef = useRef<HTMLDivElement>(null);
  const splitRef = useRef<HTMLDivElement>(null);

  useEffect(
    () =>
      makeResizable({
        handle: splitRef.current!,
        container: wsRef.current!,
        orientation: 'vertical',
        storageKey: 'ctl:split:editor',
        apply: (percent) => wsRef.current!.style.setProperty('--editor-share', `${percent}%`),
      }),
    [],
  );

  // The lesson's files, with the learner's saved edits on top.
  useEffect(() => {
    setPreference(readPreference());
    fetch(`/sandbox/${lessonId}.json`)
      .then((response) => {
        if (!response.ok) throw new Error(`the lesson's files did not load (HTTP ${response.status})`);
        return response.json() as Promise<LessonSandbox>;
      })
      .then((loaded) => {
        setSandbox(loaded);
        setFiles({ ...loaded.start, ...loadEdits(lessonId) });
      })
      .catch((error: Error) => setBootError(`Could not load this lesson: ${error.message}. Reload the page to try again.`));
  }, [lessonId]);

  // Boot (and reboot on retry or runtime switch).
  useEffect(() => {
    if (!sandbox) return;
    let cancelled = false;
    let booted: Runtime | null = null;
    setBootError(null);
    setPreviewUrl(null);
    setProgress({ step: 'runtime', detail: preference === 'local' ? 'this computer' : 'connecting' });
    (async () => {
      const chosen = await chooseRuntime(preference);
      booted = chosen.runtime;
      if (cancelled) return void booted.teardown();
      runtimeRef.current = booted;
      setRuntime(booted);
      setFallbackReason(chosen.fallbackReason);
      const frames = new CollectorFrameReader();
      output.append(`\x1b[2m— sandbox on ${booted.kind === 'local' ? 'this computer (local runtime)' : 'WebContainers'} —\x1b[0m\r\n`);
      const { previewUrl: url } = await bootSandbox(booted, { ...sandbox.start, ...loadEdits(lessonId) }, {
        onProgress: (next) => !cancelled && setProgress(next),
        onOutput: (chunk) => {
          // The collector's envelopes travel in the output stream; the terminal shows the rest.
          const { frames: envelopes, text } = frames.push(chunk);
          for (const frame of envelopes) telemetry.addEnvelope(frame.envelope, frame.receivedAt);
          if (text) output.append(text);
        },
      });
      if (!cancelled) setPreviewUrl(url);
    })().catch((error: unknown) => {
      if (cancelled) return;
      const message = error instanceof BootError || error instanceof Error ? error.message : String(error);
      setBootError(message);
    });
    return () => {
      cancelled = true;
      runtimeRef.current = null;
      void booted?.teardown();
    };
  }, [sandbox, bootAttempt, preference]);

  // Leaving the page ends the sandbox (the local runtime also kills it when the socket drops).
  useEffect(() => {
    const end = () => void runtimeRef.current?.teardown();
    window.addEventListener('pagehide', end);
    return () => window.removeEventListener('pagehide', end);
  }, []);

  const writeToSandbox = useCallback((path: string, contents: string) => {
    const timers = pendingWrites.current;
    clearTimeout(timers.get(path));
    timers.set(
      path,
      setTimeout(() => {
        timers.delete(path);
        runtimeRef.current?.writeFile(path, contents).catch((error: Error) => output.append(`\r\n\x1b[31mCould not save ${path}: ${error.message}\x1b[0m\r\n`));
      }, SAVE_DELAY_MS),
    );
  }, []);

  const onEdit = useCallback(
    (path: string, contents: string) => {
      saveEdit(lessonId, path, contents, sandbox?.start[path]);
      setFiles((current) => (current[path] === contents ? current : { ...current, [path]: contents }));
      writeToSandbox(path, contents);
    },
    [lessonId, sandbox, writeToSandbox],
  );

  const replaceFiles = (replacement: FileMap) => {
    setFiles((current) => ({ ...current, ...replacement }));
    for (const [path, contents] of Object.entries(replacement)) {
      saveEdit(lessonId, path, contents, sandbox?.start[path]);
      writeToSandbox(path, contents);
    }
  };

  const edited = useMemo(() => new Set(Object.keys(files).filter((path) => sandbox && files[path] !== sandbox.start[path])), [files, sandbox]);

  const reset = () => {
    if (!sandbox || edited.size === 0) return;
    if (!confirm(`Reset ${edited.size} edited file${edited.size === 1 ? '' : 's'} to the lesson's start? Your changes will be lost.`)) return;
    const original = Object.fromEntries([...edited].map((path) => [path, sandbox.start[path] ?? '']));
    clearEdits(lessonId);
    clearBeforeSolution(lessonId);
    replaceFiles(original);
  };

  const applySolution = () => {
    if (!sandbox) return;
    keepBeforeSolution(lessonId, Object.fromEntries(Object.keys(sandbox.solution).map((path) => [path, files[path] ?? ''])));
    replaceFiles(sandbox.solution);
    setSolutionOpen(false);
  };

  const restoreMine = () => {
    const mine = loadBeforeSolution(lessonId);
    clearBeforeSolution(lessonId);
    replaceFiles(mine);
  };

  const open = (path: string, line?: number) => {
    setActive(path);
    setReveal(line ? { line } : undefined);
    setOpenTabs((tabs) => (tabs.includes(path) ? tabs : [...tabs, path]));
  };

  const close = (path: string) => {
    setOpenTabs((tabs) => {
      const next = tabs.filter((tab) => tab !== path);
      if (path === active) setActive(next.at(-1) ?? '');
      return next;
    });
  };

  const switchRuntime = (next: RuntimePreference) => {
    savePreference(next);
    setPreference(next);
  };

  const check = async () => {
    if (!runtime || !sandbox) return;
    setPanel('checks');
    setChecking(true);
    // Edits still waiting for their debounce go in first: the checks see what the editor shows.
    for (const [path, timer] of pendingWrites.current) {
      clearTimeout(timer);
      pendingWrites.current.delete(path);
      await runtime.writeFile(path, files[path] ?? '');
    }
    try {
      const run = await runChecks(runtime, sandbox.checks);
      setCheckRun(run);
      if (run.passed) {
        markCompleted(lessonId);
        window.dispatchEvent(new CustomEvent('ctl:lesson-complete', { detail: lessonId }));
      }
    } catch (error) {
      setCheckRun({ passed: false, results: [{ name: 'Run the checks', status: 'failed', message: (error as Error).message }], output: '', durationMs: 0 });
    } finally {
      setChecking(false);
    }
  };

  const hasSolution = sandbox && Object.keys(sandbox.solution).length > 0;
  const hasMine = Object.keys(loadBeforeSolution(lessonId)).length > 0;

  return (
    <div ref={wsRef} className="ws" data-runtime={runtime?.kind ?? 'none'} data-boot-step={bootError ? 'failed' : progress.step}>
      <div className="ws-toolbar" role="toolbar" aria-label="Workspace">
        <label className="runtime-picker">
          <span>Runs on</span>
          <select value={preference} onChange={(event) => switchRuntime(event.target.value as RuntimePreference)} aria-label="Sandbox runtime">
            <option value="auto">Auto{runtime ? ` (${runtime.kind === 'local' ? 'this computer' : 'in the browser'})` : ''}</option>
            <option value="webcontainer">In the browser (WebContainers)</option>
            <option value="local">This computer (local runtime)</option>
          </select>
        </label>
        <span className="ws-spacer" />
        {hasMine && (
          <button type="button" className="button" onClick={restoreMine}>
            Restore my code
          </button>
        )}
        {hasSolution && (
          <button type="button" className="button" onClick={() => setSolutionOpen(true)}>
            Show solution
          </button>
        )}
        <button type="button" className="button" onClick={reset} disabled={edited.size === 0}>
          Reset
        </button>
        <button type="button" className="button primary" onClick={() => void check()} disabled={!previewUrl || checking || !sandbox || Object.keys(sandbox.checks).length === 0}>
          {checking ? 'Checking…' : 'Check'}
        </button>
      </div>
      {fallbackReason && (
        <p className="ws-notice" role="note">
          {fallbackReason} The shop runs on this computer instead.
        </p>
      )}

      <div className="ws-editor">
        <FileTree paths={Object.keys(files).filter(isEditable)} focus={focus} active={active} edited={edited} onOpen={open} />
        <div className="ws-editor-main">
          <div className="tabs" role="tablist" aria-label="Open files">
            {openTabs.map((path) => (
              <div key={path} className="tab" data-active={path === active}>
                <button type="button" role="tab" aria-selected={path === active} onClick={() => setActive(path)} title={path}>
                  {path.split('/').at(-1)}
                  {edited.has(path) && <span className="edited-dot" aria-label="edited" />}
                </button>
                <button type="button" className="tab-close" aria-label={`Close ${path}`} onClick={() => close(path)}>
                  ×
                </button>
              </div>
            ))}
          </div>
          {active ? <CodeEditor files={files} path={active} reveal={reveal} onChange={onEdit} /> : <p className="panel-note">Open a file from the list.</p>}
        </div>
      </div>

      <div ref={splitRef} className="split-handle horizontal" aria-label="Resize the editor and the panels" />

      <div className="ws-panels">
        <div className="tabs" role="tablist" aria-label="Panels">
          {(
            [
              ['preview', 'Preview'],
              ['output', 'Terminal'],
              ['shell', 'Shell'],
              ['telemetry', 'Telemetry'],
              ['checks', 'Checks'],
            ] as const
          ).map(([id, label]) => (
            <div key={id} className="tab" data-active={panel === id}>
              <button type="button" role="tab" id={`panel-tab-${id}`} aria-controls={`panel-${id}`} aria-selected={panel === id} onClick={() => setPanel(id)}>
                {label}
              </button>
            </div>
          ))}
        </div>
        <div className="ws-panel" id="panel-preview" role="tabpanel" aria-labelledby="panel-tab-preview" hidden={panel !== 'preview'}>
          <PreviewPanel url={previewUrl} placeholder={<BootStatus progress={progress} error={bootError} onRetry={() => setBootAttempt((n) => n + 1)} />} />
        </div>
        <div className="ws-panel" id="panel-output" role="tabpanel" aria-labelledby="panel-tab-output" hidden={panel !== 'output'}>
          <TerminalView label="Dev server output" active={panel === 'output'} onReady={(terminal) => output.follow((chunk) => terminal.write(chunk))} />
        </div>
        <div className="ws-panel" id="panel-shell" role="tabpanel" aria-labelledby="panel-tab-shell" hidden={panel !== 'shell'}>
          {runtime && panel === 'shell' ? <Shell runtime={runtime} /> : runtime ? null : <p className="panel-note">The shell opens once the sandbox has started.</p>}
        </div>
        <div className="ws-panel" id="panel-telemetry" role="tabpanel" aria-labelledby="panel-tab-telemetry" hidden={panel !== 'telemetry'}>
          <TelemetryPanel store={telemetry} files={files} runtime={runtime} onOpenFile={(path, line) => open(path, line)} onSaveFile={onEdit} onOutput={(text) => output.append(text)} />
        </div>
        <div className="ws-panel" id="panel-checks" role="tabpanel" aria-labelledby="panel-tab-checks" hidden={panel !== 'checks'}>
          <ChecksPanel run={checkRun} running={checking} hasChecks={Boolean(sandbox && Object.keys(sandbox.checks).length)} />
        </div>
      </div>

      {solutionOpen && sandbox && <SolutionDialog solution={sandbox.solution} current={files} onApply={applySolution} onClose={() => setSolutionOpen(false)} />}
    </div>
  );
}

/** The learner's own shell in the sandbox: `jsh` in WebContainers, bash on this computer. */
function Shell({ runtime }: { runtime: Runtime }) {
  const process = useRef<Promise<SandboxProcess> | null>(null);
  return (
    <TerminalView
      label="Shell"
      active
      onReady={(terminal, events) => {
        const size = terminal.size();
        const shell = (process.current ??= runtime.kind === 'webcontainer'
          ? runtime.spawn('jsh', [], { terminal: size })
          : runtime.spawn('bash', ['--noprofile', '--norc', '-i'], { terminal: size, env: { PS1: '\\[\\e[35m\\]storefront\\[\\e[0m\\] $ ' } }));
        let stopped = false;
        shell
          .then(async (running) => {
            events.onData((data) => running.write(data));
            events.onResize((next) => running.resize(next));
            const reader = running.output.getReader();
            while (!stopped) {
              const { done, value } = await reader.read();
              if (done) break;
              terminal.write(value);
            }
            terminal.write('\r\n\x1b[2m(shell ended)\x1b[0m\r\n');
          })
          .catch((error: Error) => terminal.write(`\x1b[31mCould not open a shell: ${error.message}\x1b[0m\r\n`));
        return () => {
          stopped = true;
          void shell.then((running) => running.kill());
        };
      }}
    />
  );
}

function SolutionDialog({ solution, current, onApply, onClose }: { solution: FileMap; current: FileMap; onApply: () => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="solution-dialog" aria-labelledby="solution-title" onClose={onClose}>
      <h2 id="solution-title">The solution</h2>
      <p>Applying it keeps a copy of your own code: “Restore my code” brings it back.</p>
      {Object.entries(solution).map(([path, contents]) => (
        <section key={path}>
          <h3>
            <code>{path}</code> {current[path] === contents && <span className="badge">matches yours</span>}
          </h3>
          <pre>
            <code>{contents}</code>
          </pre>
        </section>
      ))}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => dialog.current?.close()}>
          Close
        </button>
        <button type="button" className="button primary" onClick={onApply}>
          Apply the solution
        </button>
      </div>
    </dialog>
  );
}
