import { useEffect, useRef, useState } from 'react';
import type * as Monaco from 'monaco-editor';
import type { Runtime } from '../runtime/types.ts';
import type { ShopProblem } from '../sandbox/shop.ts';
import { EditorProblems } from './EditorProblems.tsx';
import { EDITOR_READY_MARK } from './performance-marks.ts';
import { TypeChecker, type TypesState } from './typescript/type-checker.ts';
import { usePackageDeclarations } from './typescript/use-package-declarations.ts';

type MonacoApi = typeof Monaco;

/** The owner of the markers that say where a part of the shop failed (the type checker has its own). */
const SHOP_MARKERS = 'shop';

interface Props {
  /** Every editable file: path → current contents. */
  files: Record<string, string>;
  path: string;
  /** Where to put the cursor, e.g. from a stack frame. */
  reveal?: { line: number; column?: number };
  onChange: (path: string, contents: string) => void;
  /** Ctrl/Cmd+Enter in the editor. */
  onCheck: () => void;
  /** Ctrl/Cmd+S in the editor: edits are saved as you type; this writes them now. */
  onSave: () => void;
  /** Escape (with no editor widget open) leaves the editor, so the keyboard is never trapped in it. */
  onLeave: () => void;
  /** Opens a file at a line (a problem listed under the editor). */
  onOpen: (path: string, line: number) => void;
  /** The running sandbox once its packages are installed: its node_modules may hold packages the learner installed. */
  sandbox: Runtime | null;
  /** The sandbox is booting: the editor's type check waits for it (see use-package-declarations.ts). */
  booting: boolean;
  /** Why a part of the shop failed (a compile error, a crash), marked at its line. */
  shopProblems: ShopProblem[];
}

function languageOf(path: string): string {
  if (/\.(ts|tsx|mts|cts)$/.test(path)) return 'typescript';
  if (/\.(js|jsx|mjs|cjs)$/.test(path)) return 'javascript';
  if (path.endsWith('.json')) return 'json';
  if (path.endsWith('.css')) return 'css';
  if (path.endsWith('.html')) return 'html';
  if (path.endsWith('.md')) return 'markdown';
  return 'plaintext';
}

/** Monaco's light theme, or our dark one (monaco-setup.ts): both readable at WCAG AA. */
const themeName = () => (document.documentElement.dataset.theme === 'dark' ? 'ctl-dark' : 'vs');

/** Escape belongs to the editor while one of its own widgets or modes is open. */
const EDITOR_OWNS_ESCAPE = [
  'suggestWidgetVisible',
  'findWidgetVisible',
  'parameterHintsVisible',
  'renameInputVisible',
  'inSnippetMode',
  'accessibilityHelpWidgetVisible',
];

/** Monaco, one model per sandbox file, so undo history and diagnostics survive switching tabs. */
export function CodeEditor({ files, path, reveal, onChange, onCheck, onSave, onLeave, onOpen, sandbox, booting, shopProblems }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const [api, setApi] = useState<MonacoApi | null>(null);
  const [checker, setChecker] = useState<TypeChecker | null>(null);
  const [types, setTypes] = useState<TypesState>({ status: 'loading', problem: null, from: null });
  const [failed, setFailed] = useState<string | null>(null);
  const editor = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const keys = useRef({ onCheck, onSave, onLeave });
  keys.current = { onCheck, onSave, onLeave };

  useEffect(() => {
    let disposed = false;
    import('./monaco-setup.ts')
      .then(({ monaco }) => {
        if (disposed || !host.current) return;
        editor.current = monaco.editor.create(host.current, {
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 13.5,
          scrollBeyondLastLine: false,
          theme: themeName(),
          tabSize: 2,
          // Sticky scroll pins enclosing lines as an overlay on top of the code: the lines beneath
          // it (often half of one) and the text beside it stay drawn under the header. The shop's
          // files are short enough to need no pinned context.
          stickyScroll: { enabled: false },
          ariaLabel: 'Code editor. Press Escape to leave it, Ctrl+Enter to run the checks.',
        });
        const { KeyCode, KeyMod } = monaco;
        editor.current.addCommand(KeyMod.CtrlCmd | KeyCode.Enter, () => keys.current.onCheck());
        editor.current.addCommand(KeyMod.CtrlCmd | KeyCode.KeyS, () => keys.current.onSave());
        editor.current.addCommand(KeyCode.Escape, () => keys.current.onLeave(), EDITOR_OWNS_ESCAPE.map((key) => `!${key}`).join(' && '));
        setApi(monaco);
        setChecker(new TypeChecker(monaco, setTypes));
        performance.mark(EDITOR_READY_MARK);
      })
      .catch((error: unknown) => setFailed(error instanceof Error ? error.message : String(error)));
    return () => {
      disposed = true;
    };
  }, []);

  useEffect(() => {
    if (!api) return;
    const onTheme = () => api.editor.setTheme(themeName());
    window.addEventListener('ctl:theme', onTheme);
    return () => window.removeEventListener('ctl:theme', onTheme);
  }, [api]);

  // Keep one model per file in step with `files` (a reset or "apply solution" replaces contents;
  // a deleted or renamed file's model goes).
  useEffect(() => {
    if (!api) return;
    for (const model of api.editor.getModels()) {
      if (model.uri.scheme === 'file' && !(model.uri.path.slice(1) in files)) model.dispose();
    }
    for (const [file, contents] of Object.entries(files)) {
      const uri = api.Uri.file(`/${file}`);
      const model = api.editor.getModel(uri);
      if (!model) api.editor.createModel(contents, languageOf(file), uri);
      else if (model.getValue() !== contents) model.setValue(contents);
    }
  }, [api, files]);

  useEffect(() => {
    if (!api || !editor.current) return;
    const model = api.editor.getModel(api.Uri.file(`/${path}`));
    if (!model) return;
    if (editor.current.getModel() !== model) editor.current.setModel(model);
    const subscription = model.onDidChangeContent(() => onChangeRef.current(path, model.getValue()));
    return () => subscription.dispose();
  }, [api, path, files]);

  useEffect(() => {
    if (!editor.current || !reveal) return;
    editor.current.revealLineInCenter(reveal.line);
    editor.current.setPosition({ lineNumber: reveal.line, column: reveal.column ?? 1 });
    editor.current.focus();
  }, [api, path, reveal]);

  // The shop's own failures, as markers of their own owner: they clear when the part runs again.
  useEffect(() => {
    if (!api) return;
    for (const model of api.editor.getModels()) api.editor.setModelMarkers(model, SHOP_MARKERS, []);
    for (const problem of shopProblems) {
      const model = problem.file ? api.editor.getModel(api.Uri.file(`/${problem.file}`)) : null;
      if (!model || !problem.line) continue;
      const line = Math.min(problem.line, model.getLineCount());
      const column = problem.column ?? 1;
      api.editor.setModelMarkers(model, SHOP_MARKERS, [
        {
          severity: api.MarkerSeverity.Error,
          source: problem.part,
          message: `The ${problem.part} stopped here: ${problem.message}`,
          startLineNumber: line,
          startColumn: column,
          endLineNumber: line,
          endColumn: Math.max(column + 1, model.getLineMaxColumn(line)),
        },
      ]);
    }
  }, [api, shopProblems, files]);

  usePackageDeclarations(checker, files, sandbox, booting);
  useEffect(() => () => checker?.dispose(), [checker]);
  useEffect(() => () => editor.current?.dispose(), []);

  return (
    <div className="code-editor" data-testid="code-editor" data-loaded={api ? 'true' : 'false'}>
      {!api && !failed && <p className="panel-note">Loading the editor…</p>}
      {failed && (
        <p className="panel-note error" role="alert">
          The editor could not load: {failed}. Reload the page to try again.
        </p>
      )}
      <div ref={host} className="code-editor-host" />
      {api && <EditorProblems api={api} path={path} types={types} onOpen={onOpen} />}
    </div>
  );
}
