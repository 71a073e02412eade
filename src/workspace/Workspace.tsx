import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { pageRuntimeSources, type RuntimePreference } from '../runtime/choose-runtime.ts';
import type { FileMap } from '../runtime/types.ts';
import { shopProblems, type ShopProblem } from '../sandbox/shop.ts';
import type { Replaced } from '../session/course-session.ts';
import { BootStatus } from './BootStatus.tsx';
import { CodeEditor } from './CodeEditor.tsx';
import { FileTree } from './FileTree.tsx';
import { makeResizable } from './resizable.ts';
import { PreviewPanel } from './PreviewPanel.tsx';
import { TerminalView } from './TerminalView.tsx';
import { TelemetryPanel } from '../panels/TelemetryPanel.tsx';
import { ChecksPanel } from './ChecksPanel.tsx';
import { useSession } from './use-session.ts';
import { PANEL_SHOWN_EVENT, SHOW_PANEL_EVENT, type WorkspacePanel } from './view-tabs.ts';
import './workspace.css';

interface Props {
  lessonId: string;
  /** The lesson before it, whose solution it starts from. */
  previousLessonId?: string;
  /** The lesson after it, whose files are fetched ahead once this one runs. */
  nextLessonId?: string;
  focus: string[];
}

type Panel = WorkspacePanel;

/** Files a learner has no reason to open in the editor. */
const isEditable = (path: string) => path !== 'package-lock.json';

/** " (lessons 2, 3 cannot pass their checks here)", or nothing when no lesson needs what is missing. */
function cannotPassHere(lessons: string[]): string {
  if (lessons.length === 0) return '';
  const numbers = lessons.map((id) => Number(id.slice(0, 2))).join(', ');
  return lessons.length === 1 ? ` (lesson ${numbers} cannot pass its checks here)` : ` (lessons ${numbers} cannot pass their checks here)`;
}

/**
 * The lesson page's workspace. It persists across lessons (the page uses Astro's ClientRouter
 * with transition:persist); all of its state lives in the page's course session.
 */
export default function Workspace({ lessonId, previousLessonId, nextLessonId, focus }: Props) {
  const [state, session] = useSession();
  const [active, setActive] = useState(focus[0] ?? '');
  const [openTabs, setOpenTabs] = useState<string[]>(focus.slice(0, 3));
  const [panel, setPanel] = useState<Panel>('preview');
  const [solutionOpen, setSolutionOpen] = useState(false);
  const [reveal, setReveal] = useState<{ line: number }>();
  const wsRef = useRef<HTMLDivElement>(null);
  const splitRef = useRef<HTMLDivElement>(null);
  const { lesson, files, edited, boot, runtimeKind } = state;
  const problems = useMemo(() => shopProblems(state.parts), [state.parts]);

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

  // A new lesson: its files (only the differences reach the running sandbox), its focus files open.
  // A layout effect, so the boot starts before any child's effect starts loading the editor.
  useLayoutEffect(() => {
    void session.openLesson(lessonId, { previousId: previousLessonId, nextId: nextLessonId });
    setActive(focus[0] ?? '');
    setOpenTabs(focus.slice(0, 3));
    setReveal(undefined);
  }, [lessonId]);

  // On narrow screens the page's view tabs pick the panel (src/workspace/view-tabs.ts), and follow
  // when the workspace brings one forward itself.
  const showPanel = (id: Panel) => {
    setPanel(id);
    window.dispatchEvent(new CustomEvent(PANEL_SHOWN_EVENT, { detail: id }));
  };
  useEffect(() => {
    const show = (event: Event) => setPanel((event as CustomEvent<Panel>).detail);
    window.addEventListener(SHOW_PANEL_EVENT, show);
    return () => window.removeEventListener(SHOW_PANEL_EVENT, show);
  }, []);

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

  // No confirmation: Reset keeps the learner's code one step back, and "Restore my code" undoes it.
  const reset = () => {
    if (edited.size > 0) session.reset();
  };

  const check = () => {
    if (!state.previewUrl || state.check.running || !lesson || Object.keys(lesson.checks).length === 0) return;
    showPanel('checks');
    void session.check();
  };

  // Shortcuts anywhere on the page (the editor has its own, for when it has focus): Ctrl/Cmd+Enter
  // checks; Ctrl/Cmd+S saves now instead of opening the browser's "Save page" dialog.
  const shortcuts = useRef({ check, flush: () => void session.flush() });
  shortcuts.current = { check, flush: () => void session.flush() };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      if (event.key === 's' || event.key === 'S') {
        event.preventDefault();
        shortcuts.current.flush();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        shortcuts.current.check();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const hasSolution = lesson && Object.keys(lesson.solution).length > 0;
  const hasChecks = Boolean(lesson && Object.keys(lesson.checks).length);
  const localAvailable = pageRuntimeSources.localAvailable();
  const bootError = state.loadError ?? boot.error?.message ?? null;

  return (
    <div
      ref={wsRef}
      className="ws"
      data-runtime={runtimeKind ?? 'none'}
      data-boot-id={state.boots}
      data-boot-step={bootError ? 'failed' : boot.step}
      data-shop={state.shop}
      data-lesson-synced={state.lessonSynced}
      data-lesson={state.lesson ? state.lessonId : undefined}
    >
      {/* Two groups: what runs (it may shrink) and what to do (never split, never pushed to a second row while there is room). */}
      <div className="ws-toolbar" role="toolbar" aria-label="Workspace">
        <div className="ws-toolbar-state">
          <label className="runtime-picker">
            <span>Runs on</span>
            <select
              value={state.preference}
              onChange={(event) => session.switchRuntime(event.target.value as RuntimePreference)}
              aria-label="Sandbox runtime"
              title="Auto: on this computer when the course server serves the page (npm start), else in the browser on StackBlitz's WebContainers"
            >
              <option value="auto">Auto{runtimeKind ? ` (${runtimeKind === 'local' ? 'this computer' : 'in the browser'})` : ''}</option>
              <option value="webcontainer">In the browser</option>
              <option value="local">This computer</option>
            </select>
          </label>
          <ShopStatus shop={state.shop} problems={problems} ready={boot.step === 'ready'} onRestart={() => void session.restartShop()} onOpen={open} />
        </div>
        <div className="ws-actions">
          {state.hasMine && (
            <button type="button" className="button" onClick={() => session.restoreMine()}>
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
          <button type="button" className="button primary" onClick={check} disabled={!state.previewUrl || state.check.running || !hasChecks}>
            {state.check.running ? 'Checking…' : 'Check'}
          </button>
        </div>
      </div>
      {state.replaced && <ReplacedNotice replaced={state.replaced} canRestore={state.hasMine} />}
      {state.missing.length > 0 && (
        <details className="ws-notice" role="note">
          <summary>This sandbox lacks {state.missing.map((entry) => entry.name).join(', ')}</summary>
          <ul>
            {state.missing.map((entry) => (
              <li key={entry.name}>
                Without {entry.name}, {entry.effect}
                {cannotPassHere(entry.lessons)}.
              </li>
            ))}
          </ul>
          <p>The course runs fully on your own computer: clone it and run `npm install && npm start`.</p>
        </details>
      )}
      {state.failures.length > 0 && (
        <div className="ws-notice ws-failures" role="alert">
          <ul>
            {state.failures.map((failure, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the list only grows at the end, and one error can repeat.
              <li key={index}>The page in the preview threw: {failure.message}</li>
            ))}
          </ul>
          <button type="button" className="button" onClick={() => session.dismissFailures()}>
            Dismiss
          </button>
        </div>
      )}

      <div className="ws-editor">
        <FileTree
          paths={Object.keys(files).filter(isEditable)}
          focus={focus}
          active={active}
          edited={edited}
          onOpen={open}
          onCreate={(path) => {
            const problem = session.createFile(path);
            if (!problem) open(path);
            return problem;
          }}
          onRename={(from, to) => {
            const problem = session.renameFile(from, to);
            if (!problem) {
              setOpenTabs((tabs) => tabs.map((tab) => (tab === from ? to : tab)));
              if (active === from) setActive(to);
            }
            return problem;
          }}
          onDelete={(path) => {
            if (!confirm(`Delete ${path}?${lesson?.start[path] !== undefined ? ' "Reset" brings it back as the lesson starts.' : ''}`)) return;
            session.deleteFile(path);
            close(path);
          }}
          // fflate and the zip are only loaded when asked for.
          onDownload={() => void import('./download/shop-zip.ts').then(({ downloadShop }) => downloadShop({ files, lessonId: state.lessonId }))}
        />
        <div className="ws-editor-main">
          <ul className="tabs" aria-label="Open files">
            {openTabs.map((path) => (
              <li key={path} className="tab" data-active={path === active}>
                <button type="button" aria-current={path === active ? 'true' : undefined} onClick={() => setActive(path)} title={path}>
                  {path.split('/').at(-1)}
                  {edited.has(path) && <span className="edited-dot" role="img" aria-label="edited" />}
                </button>
                <button type="button" className="tab-close" aria-label={`Close ${path}`} onClick={() => close(path)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          {active ? (
            <CodeEditor
              files={files}
              path={active}
              reveal={reveal}
              onChange={(path, contents) => session.edit(path, contents)}
              onCheck={check}
              onSave={() => void session.flush()}
              onLeave={() => splitRef.current?.focus()}
              onOpen={open}
              shopProblems={problems}
              sandbox={boot.step === 'ready' ? session.runtime : null}
              booting={!bootError && boot.step !== 'ready'}
            />
          ) : (
            <p className="panel-note">Open a file from the list.</p>
          )}
        </div>
      </div>

      {/* biome-ignore lint/a11y/useSemanticElements: a focusable window splitter (arrow keys move it); <hr> cannot be one. */}
      <div ref={splitRef} className="split-handle horizontal" role="separator" aria-label="Resize the editor and the panels" />

      <div className="ws-panels">
        <div className="tabs" role="tablist" aria-label="Panels">
          {(
            [
              ['preview', 'Preview'],
              ['shell', 'Terminal'],
              ['output', 'Shop output'],
              ['telemetry', 'Telemetry'],
              ['checks', 'Checks'],
            ] as const
          ).map(([id, label]) => (
            <div key={id} className="tab" role="presentation" data-active={panel === id}>
              <button type="button" role="tab" id={`panel-tab-${id}`} aria-controls={`panel-${id}`} aria-selected={panel === id} onClick={() => showPanel(id)}>
                {label}
              </button>
            </div>
          ))}
        </div>
        <div className="ws-panel" id="panel-preview" role="tabpanel" aria-labelledby="panel-tab-preview" hidden={panel !== 'preview'}>
          <PreviewPanel
            url={state.previewUrl}
            reloadKey={state.recoveries}
            placeholder={
              state.loadError ? (
                <p className="panel-note error" role="alert">
                  {state.loadError}
                </p>
              ) : (
                <BootStatus
                  boot={boot}
                  preference={state.preference}
                  localAvailable={localAvailable}
                  onRetry={() => void session.boot()}
                  onRestartShop={() => void session.restartShop()}
                  onUseLocal={() => session.switchRuntime('local')}
                />
              )
            }
          />
        </div>
        <div className="ws-panel" id="panel-shell" role="tabpanel" aria-labelledby="panel-tab-shell" hidden={panel !== 'shell'}>
          {session.runtime && panel === 'shell' ? (
            <Shell />
          ) : session.runtime ? null : (
            <p className="panel-note">The terminal opens once the sandbox has started.</p>
          )}
        </div>
        <div className="ws-panel output-panel" id="panel-output" role="tabpanel" aria-labelledby="panel-tab-output" hidden={panel !== 'output'}>
          <p className="output-bar">
            What the shop prints as it runs (<code>npm run dev</code>). It takes no typing: commands go in the{' '}
            <button type="button" className="link-button" onClick={() => showPanel('shell')}>
              Terminal
            </button>
            .
          </p>
          <div className="output-terminal">
            <TerminalView
              label="Shop output, read only"
              id="dev-server-output"
              active={panel === 'output'}
              onReady={(terminal, events) => {
                // Keys typed here reach nothing: say where they would, once.
                let told = false;
                events.onData(() => {
                  if (told) return;
                  told = true;
                  terminal.write('\r\n\x1b[2m(This is the shop\u2019s output and takes no typing: type commands in the Terminal tab.)\x1b[0m\r\n');
                });
                return session.output.follow((chunk) => terminal.write(chunk));
              }}
            />
          </div>
        </div>
        <div className="ws-panel" id="panel-telemetry" role="tabpanel" aria-labelledby="panel-tab-telemetry" hidden={panel !== 'telemetry'}>
          <TelemetryPanel
            store={session.telemetry}
            lessonId={state.lessonId}
            files={files}
            onOpenFile={(path, line) => open(path, line)}
            onSaveFile={(path, contents) => session.saveFile(path, contents)}
          />
        </div>
        <div className="ws-panel" id="panel-checks" role="tabpanel" aria-labelledby="panel-tab-checks" hidden={panel !== 'checks'}>
          <ChecksPanel
            run={state.check.run}
            running={state.check.running}
            waitingForShop={state.check.waitingForShop}
            busy={state.check.busy}
            hasChecks={hasChecks}
          />
        </div>
      </div>

      {solutionOpen && lesson && (
        <SolutionDialog
          solution={lesson.solution}
          current={files}
          onApply={() => {
            session.applySolution();
            setSolutionOpen(false);
          }}
          onClose={() => setSolutionOpen(false)}
        />
      )}
    </div>
  );
}

/** "2 files" or "backend/src/app.ts and backend/src/instrument.ts". */
function namesOf(paths: string[]): string {
  if (paths.length > 3) return `${paths.length} files`;
  return paths.length === 1 ? paths[0]! : `${paths.slice(0, -1).join(', ')} and ${paths.at(-1)}`;
}

/** Says what of the learner's code the course just replaced, and how to bring it back. */
function ReplacedNotice({ replaced, canRestore }: { replaced: Replaced; canRestore: boolean }) {
  const [, session] = useSession();
  const files = namesOf(replaced.paths);
  const one = replaced.paths.length === 1;
  const from = replaced.from ? `lesson ${Number(replaced.from.slice(0, 2))}` : 'the last lesson';
  return (
    <div className="ws-notice ws-notice-row" role="status" data-replaced={replaced.reason}>
      <p>
        {replaced.reason === 'lesson'
          ? `This lesson starts from ${from}\u2019s solution, so ${files} ${one ? 'holds' : 'hold'} its code now, not yours.`
          : `Reset: ${files} ${one ? 'is' : 'are'} back as the lesson starts.`}
        {canRestore && ' \u201cRestore my code\u201d, above, brings yours back.'}
      </p>
      <button type="button" className="button small" onClick={() => session.dismissReplaced()}>
        Dismiss
      </button>
    </div>
  );
}

const PART_FAILED: Record<string, string> = { backend: 'Backend failed to start', frontend: 'Frontend does not compile' };

/**
 * After boot: whether the shop serves, restarts the backend after a change, or stopped; and each
 * part that failed, in one line with where (a link to the line) and why. It clears itself once
 * the part runs again.
 */
function ShopStatus({
  shop,
  problems,
  ready,
  onRestart,
  onOpen,
}: {
  shop: string;
  problems: ShopProblem[];
  ready: boolean;
  onRestart: () => void;
  onOpen: (path: string, line: number) => void;
}) {
  if (!ready && shop !== 'stopped') return null;
  return (
    <span className="shop-status" data-state={problems.length ? 'failed' : shop} role="status" aria-live="polite">
      {problems.length === 0 && shop === 'ready' && 'Shop running'}
      {problems.length === 0 && shop === 'restarting' && 'Backend restarting…'}
      {shop === 'starting' && 'Shop starting…'}
      {problems.map((problem) => (
        <span key={problem.part} className="shop-problem" data-part={problem.part}>
          {PART_FAILED[problem.part] ?? `${problem.part} failed`}:{' '}
          {problem.file && (
            <button type="button" className="link-button" onClick={() => onOpen(problem.file!, problem.line ?? 1)}>
              {problem.file}
              {problem.line ? `:${problem.line}${problem.column ? `:${problem.column}` : ''}` : ''}
            </button>
          )}{' '}
          {problem.message}
        </span>
      ))}
      {shop === 'stopped' && (
        <>
          Shop stopped{' '}
          <button type="button" className="button small" onClick={onRestart}>
            Restart
          </button>
        </>
      )}
    </span>
  );
}

/** The learner's own shell in the sandbox; the session owns it, so it lives on when this view goes. */
function Shell() {
  const [, session] = useSession();
  return (
    <TerminalView
      label="Terminal: a shell in the sandbox"
      id="shell"
      active
      onReady={(terminal, events) => {
        const unfollow = session.shellOutput.follow((chunk) => terminal.write(chunk));
        session.openShell(terminal.size());
        events.onData((data) => session.writeShell(data));
        events.onResize((size) => session.resizeShell(size));
        return unfollow;
      }}
    />
  );
}

function SolutionDialog({ solution, current, onApply, onClose }: { solution: FileMap; current: FileMap; onApply: () => void; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
    // The dialog would focus the first code block, scrolled into view past the title: start at the top.
    title.current?.focus();
  }, []);
  return (
    <dialog ref={dialog} className="solution-dialog" aria-labelledby="solution-title" onClose={onClose}>
      <h2 id="solution-title" ref={title} tabIndex={-1}>
        The solution
      </h2>
      <p>Applying it keeps a copy of your own code: “Restore my code” brings it back.</p>
      <div className="solution-files">
        {Object.entries(solution).map(([path, contents]) => (
          <section key={path}>
            <h3>
              <code>{path}</code> {current[path] === contents && <span className="badge">matches yours</span>}
            </h3>
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to scroll by keyboard. */}
            <pre tabIndex={0}>
              <code>{contents}</code>
            </pre>
          </section>
        ))}
      </div>
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
