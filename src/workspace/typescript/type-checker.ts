/**
 * Marks what TypeScript finds in the sandbox's files, open or not, as an IDE does: a moment after
 * each change, every file of each project the learner has opened a file of, checked by that
 * project (project-worker.ts), so an edit in one file marks the line it breaks in another; the
 * other projects' files are checked for syntax until one of theirs is opened. Monaco's own
 * per-file check is off (monaco-setup.ts). Nothing is marked before the packages' declarations
 * have arrived: without them every import would be wrong, and a mark that is not true is worse
 * than none.
 */
import type * as Monaco from 'monaco-editor';
import { TYPES_READY_MARK } from '../performance-marks.ts';
import { toMarker } from './markers.ts';
import type { DeclarationsRequest, ProjectWorkerApi } from './worker-api.ts';

type MonacoApi = typeof Monaco;

/** `loading`: the packages' declarations are on their way; `checking`: a change is being checked; `ready`: the marks are the code's. */
export type TypesStatus = 'loading' | 'checking' | 'ready';

export interface TypesState {
  status: TypesStatus;
  /** Why only syntax is checked (the declarations did not load), or null. */
  problem: string | null;
  /** Where the packages' declarations come from: the asset, or the sandbox's node_modules after the learner changed its packages. */
  from: DeclarationsRequest['from'] | null;
}

/** Typing settles: check a moment after the last key, as Monaco's own check does. */
const SETTLE_MS = 400;
const OWNER = 'typescript';
const WORKER_ATTEMPTS = 50;

const isSandboxModel = (model: Monaco.editor.ITextModel) => model.uri.scheme === 'file' && !model.uri.path.startsWith('/lib.');

export class TypeChecker {
  readonly #monaco: MonacoApi;
  readonly #onState: (state: TypesState) => void;
  readonly #disposables: Monaco.IDisposable[] = [];
  #state: TypesState = { status: 'loading', problem: null, from: null };
  /** Null until the first declarations have arrived (or failed to). */
  #syntaxOnly: boolean | null = null;
  /** Counts requests for declarations: only the latest one's outcome counts. */
  #declarations = 0;
  #loadingDeclarations = false;
  #declarationsProblem: string | null = null;
  #checkProblem: string | null = null;
  /** What the worker holds now, to skip asking for the same again. */
  #applied = '';
  /** The files shown in an editor so far, by model URI: their projects are checked in full. */
  readonly #opened = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running = false;
  #disposed = false;

  constructor(monaco: MonacoApi, onState: (state: TypesState) => void) {
    this.#monaco = monaco;
    this.#onState = onState;
    const watch = (model: Monaco.editor.ITextModel) => {
      if (isSandboxModel(model)) this.#disposables.push(model.onDidChangeContent(() => this.#schedule()));
    };
    monaco.editor.getModels().forEach(watch);
    const follow = (editor: Monaco.editor.ICodeEditor) => {
      const opened = () => {
        const model = editor.getModel();
        if (!model || !isSandboxModel(model) || this.#opened.has(model.uri.toString())) return;
        this.#opened.add(model.uri.toString());
        this.#schedule(0);
      };
      opened();
      this.#disposables.push(editor.onDidChangeModel(opened));
    };
    monaco.editor.getEditors().forEach(follow);
    this.#disposables.push(
      monaco.editor.onDidCreateEditor(follow),
      monaco.editor.onDidCreateModel((model) => {
        watch(model);
        this.#schedule(0);
      }),
      monaco.editor.onWillDisposeModel((model) => {
        monaco.editor.setModelMarkers(model, OWNER, []);
        this.#schedule(0);
      }),
    );
  }

  get state(): TypesState {
    return this.#state;
  }

  /** The packages' declarations TypeScript should see from now on (a new install brings new ones). */
  async loadDeclarations(request: Promise<DeclarationsRequest>): Promise<void> {
    const attempt = ++this.#declarations;
    this.#loadingDeclarations = true;
    this.#publish('loading');
    let problem: string | null = null;
    try {
      const wanted = await request;
      this.#state = { ...this.#state, from: wanted.from };
      const signature = [wanted.asset, ...wanted.replaced, ...Object.entries(wanted.added).map(([path, text]) => `${path}:${text.length}`)].join('\n');
      if (signature !== this.#applied) {
        await (await this.#worker()).loadDeclarations(wanted);
        this.#applied = signature;
      }
    } catch (error) {
      problem = `The types of the shop\u2019s packages did not load (${error instanceof Error ? error.message : String(error)}), so only syntax is checked. Reload the page to try again.`;
    }
    if (attempt !== this.#declarations || this.#disposed) return;
    this.#loadingDeclarations = false;
    this.#declarationsProblem = problem;
    this.#syntaxOnly = problem !== null;
    this.#publish('checking');
    this.#schedule(0);
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const disposable of this.#disposables) disposable.dispose();
  }

  #publish(status: TypesStatus): void {
    this.#state = { ...this.#state, status, problem: this.#declarationsProblem ?? this.#checkProblem };
    this.#onState(this.#state);
  }

  async #worker(): Promise<ProjectWorkerApi> {
    // Monaco sets TypeScript up a moment after the first TypeScript model appears; until then it
    // answers "not registered".
    for (let attempt = 1; ; attempt++) {
      try {
        const models = this.#monaco.editor.getModels().filter(isSandboxModel);
        // Asking with every file's URI hands all of them to the worker, not only the open one.
        return (await (
          await this.#monaco.typescript.getTypeScriptWorker()
        )(...models.map((model) => model.uri))) as ProjectWorkerApi;
      } catch (error) {
        if (attempt === WORKER_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  #schedule(delay = SETTLE_MS): void {
    if (this.#disposed) return;
    if (this.#state.status === 'ready') this.#publish('checking');
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#check();
    }, delay);
  }

  async #check(): Promise<void> {
    if (this.#syntaxOnly === null) return; // the declarations' arrival checks
    if (this.#running) return void this.#schedule();
    this.#running = true;
    let current = true;
    try {
      const { diagnostics, versions } = await (await this.#worker()).sandboxDiagnostics(this.#syntaxOnly, [...this.#opened]);
      if (this.#disposed) return;
      for (const model of this.#monaco.editor.getModels().filter(isSandboxModel)) {
        const uri = model.uri.toString();
        // A file changed since it was checked is marked by the next check, which its change asked for.
        if (versions[uri] !== model.getVersionId()) current = false;
        else
          this.#monaco.editor.setModelMarkers(
            model,
            OWNER,
            (diagnostics[uri] ?? []).map((diagnostic) => toMarker(this.#monaco, model, diagnostic)),
          );
      }
      this.#checkProblem = null;
    } catch (error) {
      // Said, not retried in a loop: the next change tries again.
      this.#checkProblem = `TypeScript could not check the files: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#running = false;
    }
    if (this.#disposed || this.#timer || this.#loadingDeclarations) return;
    if (!current) return this.#schedule();
    if (performance.getEntriesByName(TYPES_READY_MARK).length === 0 && !this.#checkProblem) performance.mark(TYPES_READY_MARK);
    this.#publish('ready');
  }
}
