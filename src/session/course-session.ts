/**
 * The course session: one per page, framework-free, alive across lessons. It owns the runtime,
 * the running shop, the files the editor and the sandbox hold, the learner's saved edits, the
 * terminal's output, the telemetry, and Check. React components only read its state and call its
 * methods (src/workspace/use-session.ts), so moving to the next lesson keeps the runtime, its
 * processes and the terminal, and writes only the files that lesson changes.
 */
import { chooseRuntime, readPreference, savePreference, type RuntimePreference, type RuntimeSources } from '../runtime/choose-runtime.ts';
import {
  isUnwatched,
  RuntimeError,
  type PackagesSnapshot,
  type Runtime,
  type RuntimeErrorCode,
  type RuntimeFailure,
  type SandboxProcess,
  type FileMap,
} from '../runtime/types.ts';
import { markCompleted } from '../lessons/progress.ts';
import { forEachChunk } from '../runtime/process-output.ts';
import { adoptChecks, prepareChecks, runChecks, type CheckRun } from '../lessons/run-checks.ts';
import { missingCapabilities, missingFor, type MissingCapability, type ProbeReport } from '../sandbox/capabilities.ts';
import { BACKEND, FRONTEND, FRONTEND_PORT, PROCESS_NAMES, SHOP_SCRIPTS, sourcesMatch, type PartStatus } from '../sandbox/shop.ts';
import { TelemetryStore } from '../telemetry/store.ts';
import {
  BootError,
  pipeOutput,
  prepareSandbox,
  probeSandbox,
  startShop,
  type BootCallbacks,
  type BootProgress,
  type BootStep,
  type RunningShop,
} from './boot.ts';
import { FileSync } from './file-sync.ts';
import type { LessonSandbox } from '../lessons/sandbox-files.ts';
import { fetchLessonSandbox, fetchPackagesSnapshot } from './lesson-source.ts';
import { loadLastCheck, saveLastCheck } from './last-check.ts';
import { OutputLog } from './output-log.ts';
import { OutputFrameReader } from '../sandbox/output-frames.ts';
import {
  carriedNoted,
  clearBeforeSolution,
  clearEdits,
  keepBeforeSolution,
  loadBeforeSolution,
  loadEdits,
  noteCarried,
  saveEdit,
  withEdits,
} from './saved-edits.ts';
import { newPathProblem } from './file-paths.ts';
import { type ForwardingState, SentryForwarding } from './sentry-forwarding.ts';

export interface BootFailure {
  step: BootStep;
  message: string;
  /** The end of the failing process's output. */
  output: string;
  /** The runtime's reason, when it gave one: `busy` means another tab or course server runs the shop. */
  code?: RuntimeErrorCode;
}

/**
 * The shop after boot: serving, restarting the backend after a change, failed (its backend could
 * not build or start, or crashed: the backend's status says where and why), or stopped.
 */
export type ShopState = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

/** The learner's own code that the course just replaced, and why: "Restore my code" brings it back. */
export interface Replaced {
  /** `reset`: the learner pressed Reset; `lesson`: this lesson starts from the previous one's solution. */
  reason: 'reset' | 'lesson';
  paths: string[];
  /** For `lesson`: the lesson whose solution replaced the learner's code. */
  from?: string;
}

export interface SessionState {
  lessonId: string | null;
  lesson: LessonSandbox | null;
  /** What the editor shows and the sandbox holds (or is about to). */
  files: FileMap;
  /** Files that differ from the lesson's start. */
  edited: ReadonlySet<string>;
  /** The learner's own code, kept one step back (before the solution, a Reset or a new lesson's start replaced it). */
  hasMine: boolean;
  /** What of the learner's code was just replaced, to tell them; null once dismissed, restored, or the lesson changed. */
  replaced: Replaced | null;
  loadError: string | null;
  preference: RuntimePreference;
  runtimeKind: Runtime['kind'] | null;
  boot: BootProgress & { slow: boolean; error: BootFailure | null };
  previewUrl: string | null;
  shop: ShopState;
  /** Each part's last report (scripts/lib/status.mjs in the shop): `backend`, `frontend`. */
  parts: Record<string, PartStatus>;
  /** What the sandbox's Node can do, once probed at boot; and what it lacks that the course uses. */
  capabilities: ProbeReport | null;
  missing: MissingCapability[];
  /** The lesson's files are in the sandbox and the shop runs them (a backend change has restarted it). */
  lessonSynced: boolean;
  /** Recent errors thrown by the page in the preview. */
  failures: RuntimeFailure[];
  /** `waitingForShop`: Check waits for the backend to restart after a change before it runs. */
  /** `busy`: a check ran out of time on a busy machine, and the checks run a second time. */
  check: { running: boolean; waitingForShop: boolean; busy?: boolean; run: CheckRun | null };
  /** How many times a sandbox was booted on this page: moving between lessons never adds one. */
  boots: number;
  /** How many times a part of the shop ran again after it had failed: the preview reloads then. */
  recoveries: number;
  /** The shopper simulator (`npm run shoppers`), which gives the dashboards a live curve. */
  shoppers: { running: boolean; perMinute: number };
  /** The learner's own Sentry, which the collector forwards every envelope to as well. */
  forwarding: ForwardingState;
}

/**
 * The longest the session waits for the backend to run what was saved. It reports every step
 * (building, starting, ready or failed), so this is only a ceiling for a machine far too busy.
 */
const BACKEND_RESTART_WAIT_MS = 60_000;
/** Shell changes come in bursts (a formatter writes, renames, writes): read a file once they settle. */
const SHELL_CHANGE_SETTLE_MS = 150;
/**
 * npm rewrites these at the sandbox's root (an install in the learner's shell), where no watch
 * reaches: a watch of the root would watch node_modules too. package.json is looked at every few
 * seconds; the lockfile, which npm writes with it, for a few looks after package.json changed.
 */
const PACKAGE_JSON_POLL_MS = 2000;
const LOCKFILE_LOOKS = 3;
/** Vite bundles its config to a file beside it for a moment; not the learner's. */
const BUILD_TOOL_TEMP_FILE = /\.timestamp-\d+(-\w+)?\.m?js$/;

export interface SessionOptions {
  sources?: RuntimeSources;
  fetchLesson?: (lessonId: string) => Promise<LessonSandbox>;
  fetchPackages?: () => Promise<PackagesSnapshot>;
}

export class CourseSession {
  /** The shop's output (the Shop output tab). */
  readonly output = new OutputLog();
  /** The learner's shell's output (the Terminal tab), kept while views come and go. */
  readonly shellOutput = new OutputLog();
  #shell: { process: Promise<SandboxProcess>; prompted: Promise<void> } | null = null;
  #shellSize = { cols: 80, rows: 24 };
  #shoppers: SandboxProcess | null = null;
  readonly forwarding = new SentryForwarding((forwarding) => this.#set({ forwarding }));
  readonly telemetry = new TelemetryStore();
  #state: SessionState;
  #listeners = new Set<() => void>();
  #options: SessionOptions;
  #runtime: Runtime | null = null;
  #devServer: SandboxProcess | null = null;
  #offFailure: (() => void) | null = null;
  #offWatch: (() => void) | null = null;
  /** Each boot gets a number; a boot superseded by another (retry, runtime switch) stops quietly. */
  #bootId = 0;
  /** The lesson after the one shown: its files are fetched ahead once this one runs. */
  #nextLessonId: string | undefined;
  #booting: Promise<void> | null = null;
  #sync = new FileSync((path, error) => this.output.append(`\r\n\x1b[31mCould not save ${path}: ${error.message}\x1b[0m\r\n`));

  constructor(options: SessionOptions = {}) {
    this.#options = options;
    this.#state = {
      lessonId: null,
      lesson: null,
      files: {},
      edited: new Set(),
      hasMine: false,
      replaced: null,
      loadError: null,
      preference: 'auto',
      runtimeKind: null,
      boot: { step: 'runtime', slow: false, error: null },
      previewUrl: null,
      shop: 'starting',
      parts: {},
      capabilities: null,
      missing: [],
      lessonSynced: false,
      failures: [],
      check: { running: false, waitingForShop: false, run: null },
      shoppers: { running: false, perMinute: 60 },
      forwarding: this.forwarding.state,
      boots: 0,
      recoveries: 0,
    };
  }

  // --- reading -------------------------------------------------------------------------------

  get state(): SessionState {
    return this.#state;
  }

  get runtime(): Runtime | null {
    return this.#runtime;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  };

  getState = (): SessionState => this.#state;

  #set(patch: Partial<SessionState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  #setFiles(files: FileMap): void {
    const start = this.#state.lesson?.start ?? {};
    const deleted = Object.keys(start).filter((path) => !(path in files));
    const edited = new Set([...Object.keys(files).filter((path) => files[path] !== start[path]), ...deleted]);
    this.#set({ files, edited, hasMine: this.#state.lessonId ? Object.keys(loadBeforeSolution(this.#state.lessonId)).length > 0 : false });
  }

  // --- lessons -------------------------------------------------------------------------------

  /**
   * Shows a lesson: the first one boots the sandbox, later ones only change files. `previousId`
   * is the lesson before it in the course, whose solution it starts from; `nextId` the one after,
   * whose files are fetched once this lesson runs, so that moving on waits for no download.
   */
  async openLesson(lessonId: string, { previousId, nextId }: { previousId?: string; nextId?: string } = {}): Promise<void> {
    if (lessonId === this.#state.lessonId && (this.#state.lesson || !this.#state.loadError)) return;
    this.#nextLessonId = nextId;
    // Not synced from the moment the lesson changes: the sandbox still holds the previous lesson's files.
    this.#set({
      lessonId,
      replaced: null,
      lessonSynced: false,
      loadError: null,
      check: { running: false, waitingForShop: false, run: loadLastCheck(lessonId) },
      preference: this.#runtime || this.#booting ? this.#state.preference : readPreference(),
    });
    let lesson: LessonSandbox;
    try {
      lesson = await (this.#options.fetchLesson ?? fetchLessonSandbox)(lessonId);
    } catch (error) {
      if (this.#state.lessonId === lessonId) this.#set({ loadError: `Could not load this lesson: ${(error as Error).message}. Reload the page to try again.` });
      return;
    }
    if (this.#state.lessonId !== lessonId) return; // the learner moved on meanwhile
    this.#set({ lesson, lessonSynced: false });
    this.#labelRuntime();
    this.#setFiles(withEdits(lesson.start, loadEdits(lessonId)));
    this.#sync.replaceAll(this.#state.files);
    void this.#noteCarried(lessonId, lesson, previousId);
    if (!this.#runtime && !this.#booting) return void this.boot();
    if (this.#state.boot.step !== 'ready') return; // the boot in progress mounts these files
    await this.#settle();
    if (this.#state.lessonId !== lessonId) return;
    this.#set({ lessonSynced: true });
    this.#lessonRuns();
  }

  /**
   * A lesson starts from the previous one's solution. The first time it opens, any file where
   * that replaced what the learner wrote in the previous lesson is named, and their version is
   * kept for "Restore my code", as the solution keeps it.
   */
  async #noteCarried(lessonId: string, lesson: LessonSandbox, previousId: string | undefined): Promise<void> {
    if (!previousId || carriedNoted(lessonId) || Object.keys(loadEdits(lessonId)).length > 0 || Object.keys(loadBeforeSolution(lessonId)).length > 0) return;
    const theirs = loadEdits(previousId);
    if (Object.keys(theirs).length === 0) return;
    let previous: LessonSandbox;
    try {
      previous = await (this.#options.fetchLesson ?? fetchLessonSandbox)(previousId);
    } catch {
      return; // nothing to compare with: say nothing rather than something wrong
    }
    if (this.#state.lessonId !== lessonId) return;
    const reference = { ...previous.start, ...previous.solution };
    // Files this lesson starts with exactly as the previous lesson's solution has them, where the
    // learner's differed (a file they deleted is not brought back), and not edited here since.
    const mine = Object.fromEntries(
      Object.entries(theirs).filter(
        ([path, contents]) =>
          contents !== null && contents !== reference[path] && lesson.start[path] === reference[path] && this.#state.files[path] === lesson.start[path],
      ),
    );
    noteCarried(lessonId);
    if (Object.keys(mine).length === 0) return;
    keepBeforeSolution(lessonId, mine);
    this.#setFiles(this.#state.files);
    this.#set({ replaced: { reason: 'lesson', paths: Object.keys(mine).sort(), from: previousId } });
  }

  /**
   * Writes what is pending and waits until the backend runs it (or says why it cannot): what runs
   * is then what the editor shows. The backend reports which sources each state was made from.
   */
  async #settle(onWaitingForShop: () => void = () => {}): Promise<void> {
    await this.#sync.flush();
    if (this.#backendSettled(this.#state)) return;
    onWaitingForShop();
    await this.#until((state) => this.#backendSettled(state), BACKEND_RESTART_WAIT_MS);
  }

  /** The backend is done with the files the session holds: running them, or failed on them. No backend, nothing to wait for. */
  #backendSettled(state: SessionState): boolean {
    const backend = state.parts[BACKEND];
    if (!backend || state.shop === 'stopped' || state.shop === 'starting') return true;
    return backend.state !== 'building' && backend.state !== 'starting' && sourcesMatch(backend, state.files);
  }

  // --- the one write path ---------------------------------------------------------------------

  /** The learner changed a file in the editor. */
  edit(path: string, contents: string): void {
    const { lessonId, lesson, files } = this.#state;
    // Only files that exist are edited (new ones come from createFile): a late keystroke in a deleted file does not bring it back.
    if (!lessonId || !(path in files) || files[path] === contents) return;
    saveEdit(lessonId, path, contents, lesson?.start[path]);
    this.#setFiles({ ...files, [path]: contents });
    this.#sync.set(path, contents);
  }

  /** Whole files at once (`undefined` deletes one), written to the sandbox without a typing delay. */
  #replace(replacement: Record<string, string | undefined>): void {
    const { lessonId, lesson } = this.#state;
    if (!lessonId) return;
    const files = { ...this.#state.files };
    for (const [path, contents] of Object.entries(replacement)) {
      saveEdit(lessonId, path, contents, lesson?.start[path]);
      if (contents === undefined) delete files[path];
      else files[path] = contents;
      this.#sync.set(path, contents, 0);
    }
    this.#setFiles(files);
  }

  /** A panel saves a whole file (a dashboard, an alert rule), making it if it is not there yet. */
  saveFile(path: string, contents: string): void {
    if (this.#state.files[path] !== contents) this.#replace({ [path]: contents });
  }

  /** A new file in the sandbox; returns why it cannot be made, or null once it is. */
  createFile(path: string, contents = ''): string | null {
    const problem = newPathProblem(path, this.#state.files);
    if (problem) return problem;
    this.#replace({ [path]: contents });
    return null;
  }

  /** Moves a file; returns why it cannot, or null once it has. */
  renameFile(from: string, to: string): string | null {
    const contents = this.#state.files[from];
    if (contents === undefined) return `${from} is not a file of this lesson`;
    const problem = newPathProblem(to, this.#state.files);
    if (problem) return problem;
    this.#replace({ [from]: undefined, [to]: contents });
    return null;
  }

  /** Deletes a file; the caller confirms first ("Reset" brings a file of the lesson's start back). */
  deleteFile(path: string): void {
    if (path in this.#state.files) this.#replace({ [path]: undefined });
  }

  /** Back to the lesson's start, keeping the learner's code one step back ("Restore my code"). */
  reset(): void {
    const { lessonId, lesson, edited, files } = this.#state;
    if (!lessonId || !lesson || edited.size === 0) return;
    const original = Object.fromEntries([...edited].map((path) => [path, lesson.start[path]]));
    keepBeforeSolution(lessonId, Object.fromEntries([...edited].map((path) => [path, files[path] ?? null])));
    clearEdits(lessonId);
    this.#replace(original);
    this.#set({ replaced: { reason: 'reset', paths: [...edited].sort() } });
  }

  /** Applies the solution, keeping the learner's own version of those files. */
  applySolution(): void {
    const { lessonId, lesson, files } = this.#state;
    if (!lessonId || !lesson) return;
    keepBeforeSolution(lessonId, Object.fromEntries(Object.keys(lesson.solution).map((path) => [path, files[path] ?? null])));
    this.#replace(lesson.solution);
    this.#set({ replaced: null });
  }

  /** Brings back the learner's code kept one step back (null: a file they had deleted, deleted again). */
  restoreMine(): void {
    const { lessonId } = this.#state;
    if (!lessonId) return;
    const mine = loadBeforeSolution(lessonId);
    clearBeforeSolution(lessonId);
    this.#replace(Object.fromEntries(Object.entries(mine).map(([path, contents]) => [path, contents ?? undefined])));
    this.#set({ replaced: null });
  }

  dismissReplaced(): void {
    this.#set({ replaced: null });
  }

  // --- the runtime and the shop ---------------------------------------------------------------

  switchRuntime(preference: RuntimePreference): void {
    savePreference(preference);
    this.#set({ preference });
    void this.boot();
  }

  /** Boots a fresh sandbox (the first time, or again after a failure or a runtime switch). */
  boot(): Promise<void> {
    const bootId = ++this.#bootId;
    const previous = this.#runtime;
    this.#detach();
    void previous?.teardown();
    const booting = this.#boot(bootId).finally(() => {
      if (this.#booting === booting) this.#booting = null;
    });
    this.#booting = booting;
    return booting;
  }

  async #boot(bootId: number): Promise<void> {
    const current = () => bootId === this.#bootId;
    const preference = this.#state.preference;
    this.#set({
      boots: this.#state.boots + 1,
      boot: { step: 'runtime', detail: preference === 'local' ? 'this computer' : 'connecting', slow: false, error: null },
      previewUrl: null,
      shop: 'starting',
      parts: {},
      lessonSynced: false,
    });
    const callbacks: BootCallbacks = {
      onProgress: (progress) => current() && this.#set({ boot: { ...progress, slow: false, error: null } }),
      onOutput: (chunk) => current() && this.#onOutput(chunk),
    };
    let runtime: Runtime | null = null;
    try {
      const packages = (this.#options.fetchPackages ?? fetchPackagesSnapshot)();
      const chosen = await chooseRuntime(preference, {
        sources: this.#options.sources,
        onSlow: () => current() && this.#set({ boot: { ...this.#state.boot, slow: true } }),
      });
      runtime = chosen.runtime;
      if (!current()) return;
      this.#runtime = runtime;
      this.#offFailure = runtime.onFailure((failure) => this.#onFailure(failure));
      this.#set({ runtimeKind: runtime.kind });
      this.#labelRuntime();
      this.output.append(`\x1b[2m\u2014 sandbox on ${runtime.kind === 'local' ? 'this computer (local runtime)' : 'WebContainers'} \u2014\x1b[0m\r\n`);
      const files = this.#state.files;
      if (runtime.resumed) return await this.#resume(runtime, runtime.resumed, bootId, callbacks);
      await prepareSandbox(runtime, files, await packages, callbacks);
      if (!current()) return;
      void probeSandbox(runtime).then((report) => current() && report && this.#set({ capabilities: report, missing: missingCapabilities(report) }));
      this.#sync.attach(runtime, files);
      this.#watchSandbox(runtime, files);
      await this.#startShop(bootId, callbacks);
    } catch (error) {
      if (!current()) return;
      const failure: BootFailure =
        error instanceof BootError
          ? { step: error.step, message: error.message, output: error.output }
          : {
              step: this.#state.boot.step,
              message: error instanceof Error ? error.message : String(error),
              output: '',
              code: error instanceof RuntimeError ? error.code : undefined,
            };
      this.#set({ boot: { ...this.#state.boot, slow: false, error: failure } });
    }
  }

  async #startShop(bootId: number, callbacks: BootCallbacks): Promise<void> {
    const shop = await startShop(this.#runtime!, callbacks);
    if (bootId !== this.#bootId) return void shop.devServer.kill();
    await this.#adoptShop(shop, bootId);
  }

  /**
   * The page reloaded, and the local runtime kept its sandbox running: its processes are taken
   * back (their recent output replayed: the terminal, the telemetry, the parts' states) instead of
   * booting again. Files the editor holds and the sandbox does not (a keystroke just before the
   * reload) are written.
   */
  async #resume(runtime: Runtime, processes: ReadonlyMap<string, SandboxProcess>, bootId: number, callbacks: BootCallbacks): Promise<void> {
    this.#set({ boot: { step: 'start', detail: 'back to the running shop', slow: false, error: null } });
    const reloaded = () => this.output.append('\x1b[2m(this page reloaded; the shop kept running)\x1b[0m\r\n');
    const files = this.#state.files;
    const held: FileMap = {};
    await Promise.all(
      Object.keys(files).map(async (path) => {
        const contents = await runtime.readFile(path).catch(() => undefined);
        if (contents !== undefined) held[path] = contents;
      }),
    );
    if (bootId !== this.#bootId) return;
    this.#sync.attach(runtime, held);
    this.#sync.replaceAll(files);
    this.#watchSandbox(runtime, files);
    void probeSandbox(runtime).then((report) => bootId === this.#bootId && report && this.#set({ capabilities: report, missing: missingCapabilities(report) }));
    const shell = processes.get(PROCESS_NAMES.shell);
    if (shell) this.#adoptShell(Promise.resolve(shell), true);
    const shoppers = processes.get(PROCESS_NAMES.shoppers);
    if (shoppers) this.#adoptShoppers(runtime, shoppers, this.#state.shoppers.perMinute);
    const checks = processes.get(PROCESS_NAMES.checks);
    if (checks) adoptChecks(runtime, checks);
    const devServer = processes.get(PROCESS_NAMES.shop);
    if (!devServer) {
      reloaded();
      return this.#startShop(bootId, callbacks); // the shop had stopped: start it
    }
    // A resumed process's first chunk is its recent output, replayed: the note goes below it, where the learner looks.
    let replayed = false;
    pipeOutput(devServer, (chunk) => {
      callbacks.onOutput(chunk);
      if (!replayed) reloaded();
      replayed = true;
    });
    const previewUrl = await new Promise<string>((resolve) => {
      const off = runtime.onServerReady((port, url) => {
        if (port !== FRONTEND_PORT) return;
        off();
        resolve(url);
      });
    });
    await this.#adoptShop({ devServer, previewUrl }, bootId);
  }

  /** The shop runs: the page follows it (its end, its state), then shows it. */
  async #adoptShop(shop: RunningShop, bootId: number): Promise<void> {
    this.#devServer = shop.devServer;
    void shop.devServer.exit.then((code) => {
      if (this.#devServer !== shop.devServer) return;
      this.#devServer = null;
      this.#set({ shop: 'stopped' });
      this.output.append(`\r\n\x1b[33mThe shop stopped (exit code ${code}).\x1b[0m\r\n`);
    });
    const backend = this.#state.parts[BACKEND];
    this.#set({ previewUrl: shop.previewUrl, shop: backend ? shopStateOf(backend) : 'ready', boot: { step: 'ready', slow: false, error: null } });
    this.forwarding.attach(this.#runtime);
    // Files that changed while the shop started (a lesson switch during the boot) are written now.
    await this.#settle();
    if (bootId !== this.#bootId) return;
    this.#set({ lessonSynced: true });
    this.#lessonRuns();
  }

  /** The lesson's files run: Check is made ready, and the next lesson's files fetched ahead. */
  #lessonRuns(): void {
    this.#warmChecks();
    if (this.#nextLessonId) void (this.#options.fetchLesson ?? fetchLessonSandbox)(this.#nextLessonId).catch(() => {});
  }

  /** Names this page, as it is now (its lesson's title), to a second tab that finds the shop busy. */
  #labelRuntime(): void {
    if (typeof document !== 'undefined') void this.#runtime?.label?.(document.title).catch(() => undefined);
  }

  /** Starts the warm check runner with this lesson's checks, so the first Check does not wait for Vitest. */
  #warmChecks(): void {
    const { lesson } = this.#state;
    if (this.#runtime && lesson) void prepareChecks(this.#runtime, lesson.checks).catch(() => undefined);
  }

  /**
   * The shop runs for another tab or course server (`busy`): end that one and boot here, on this
   * computer. Its ports are fixed, so only one can run it.
   */
  async takeOver(): Promise<void> {
    try {
      const { pageRuntimeUrl, takeOverLocalRuntime } = await import('../runtime/local/client.ts');
      await takeOverLocalRuntime(pageRuntimeUrl());
    } catch (error) {
      this.#set({ boot: { ...this.#state.boot, error: { step: 'runtime', message: (error as Error).message, output: '' } } });
      return;
    }
    this.#set({ preference: 'local' });
    void this.boot();
  }

  /** Stops the shop and starts it again, in the same sandbox. */
  async restartShop(): Promise<void> {
    const runtime = this.#runtime;
    if (!runtime) return void this.boot();
    const bootId = this.#bootId;
    const old = this.#devServer;
    this.#devServer = null;
    old?.kill();
    await old?.exit;
    this.#set({ shop: 'starting', parts: {}, previewUrl: null, boot: { step: 'start', slow: false, error: null } });
    const callbacks: BootCallbacks = {
      onProgress: (progress) => bootId === this.#bootId && this.#set({ boot: { ...progress, slow: false, error: null } }),
      onOutput: (chunk) => bootId === this.#bootId && this.#onOutput(chunk),
    };
    try {
      await this.#startShop(bootId, callbacks);
    } catch (error) {
      if (bootId !== this.#bootId) return;
      const failure =
        error instanceof BootError
          ? { step: error.step, message: error.message, output: error.output }
          : { step: 'start' as const, message: String(error), output: '' };
      this.#set({ boot: { step: 'start', slow: false, error: failure } });
    }
  }

  #frames = new OutputFrameReader();

  #onOutput(chunk: string): void {
    // The collector's envelopes and the parts' states travel in the output stream; the terminal shows the rest.
    const { envelopes, notices, statuses, text } = this.#frames.push(chunk);
    for (const frame of envelopes) this.telemetry.addEnvelope(frame.envelope, frame.receivedAt);
    for (const notice of notices) this.telemetry.setCollectorNotice(notice);
    for (const status of statuses) this.#onStatus(status);
    if (text) this.output.append(text);
  }

  /** A part reported its state; once the shop has started, the backend's is the shop's. */
  #onStatus(status: PartStatus): void {
    const recovered = this.#state.parts[status.name]?.state === 'failed' && status.state === 'ready';
    const parts = { ...this.#state.parts, [status.name]: status };
    const running = this.#state.shop !== 'starting' && this.#state.shop !== 'stopped';
    this.#set({
      parts,
      ...(running && status.name === BACKEND && { shop: shopStateOf(status) }),
      ...(recovered && { recoveries: this.#state.recoveries + 1 }),
    });
  }

  /** A broken runtime ends the shop (the workspace offers to start again); a preview error is listed. */
  #onFailure(failure: RuntimeFailure): void {
    if (failure.source === 'preview') {
      this.#set({ failures: [...this.#state.failures.slice(-4), failure] });
      return;
    }
    this.#set({ shop: 'stopped', previewUrl: null, boot: { ...this.#state.boot, error: { step: 'runtime', message: failure.message, output: '' } } });
  }

  dismissFailures(): void {
    this.#set({ failures: [] });
  }

  /**
   * Changes made in the sandbox itself (the learner's shell) reach the editor: every folder that
   * holds the lesson's files is watched, and a changed file is read back and adopted.
   */
  #watchSandbox(runtime: Runtime, files: FileMap): void {
    const folders = new Set(
      Object.keys(files)
        .filter((path) => path.includes('/'))
        .map((path) => path.slice(0, path.indexOf('/'))),
    );
    const pending = new Map<string, ReturnType<typeof setTimeout>>();
    const offs = [...folders]
      .filter((folder) => !isUnwatched(folder))
      .map((folder) =>
        runtime.watch(folder, ({ path }) => {
          if (isUnwatched(path) || BUILD_TOOL_TEMP_FILE.test(path)) return;
          clearTimeout(pending.get(path));
          pending.set(
            path,
            setTimeout(() => {
              pending.delete(path);
              void this.#adoptFromSandbox(runtime, path);
            }, SHELL_CHANGE_SETTLE_MS),
          );
        }),
      );
    let lockfileLooks = 0;
    let looking = false;
    const packagePoll = setInterval(async () => {
      if (looking) return;
      looking = true;
      try {
        if (await this.#adoptFromSandbox(runtime, 'package.json')) lockfileLooks = LOCKFILE_LOOKS;
        if (lockfileLooks > 0) {
          lockfileLooks--;
          await this.#adoptFromSandbox(runtime, 'package-lock.json');
        }
      } finally {
        looking = false;
      }
    }, PACKAGE_JSON_POLL_MS);
    this.#offWatch = () => {
      for (const off of offs) off();
      for (const timer of pending.values()) clearTimeout(timer);
      clearInterval(packagePoll);
    };
  }

  /** Reads a file the sandbox changed by other means; resolves with whether the editor now shows it. */
  async #adoptFromSandbox(runtime: Runtime, path: string): Promise<boolean> {
    const readAt = this.#sync.generation(path);
    let contents: string | undefined;
    try {
      contents = await runtime.readFile(path);
    } catch (error) {
      if (!(error instanceof RuntimeError && error.code === 'not-found')) return false; // a folder, or unreadable: not a file to show
      contents = undefined;
    }
    const { lessonId, lesson, files } = this.#state;
    if (runtime !== this.#runtime || !lessonId || !this.#sync.adopt(path, contents, readAt)) return false;
    saveEdit(lessonId, path, contents, lesson?.start[path]);
    const next = { ...files };
    if (contents === undefined) delete next[path];
    else next[path] = contents;
    this.#setFiles(next);
    return true;
  }

  #detach(): void {
    void this.#shell?.process.then(
      (shell) => shell.kill(),
      () => undefined,
    );
    this.#shell = null;
    this.stopShoppers();
    this.#offWatch?.();
    this.#offWatch = null;
    this.#sync.detach();
    this.#offFailure?.();
    this.#offFailure = null;
    this.#runtime = null;
    this.forwarding.attach(null);
    this.#devServer = null;
    this.#frames = new OutputFrameReader();
  }

  // --- the learner's shell and the shoppers: processes of the sandbox, owned here, not by the views showing them ---

  /**
   * The learner's shell in the sandbox: opened on first use, kept while the sandbox lives (its
   * output stays in `shellOutput` for any view that shows it); opened again after it ends.
   */
  openShell(size = this.#shellSize): void {
    const runtime = this.#runtime;
    this.#shellSize = size;
    if (!runtime || this.#shell) return;
    this.#adoptShell(runtime.openShell(size, PROCESS_NAMES.shell), false);
  }

  /** Follows a shell: its output into `shellOutput`, its end. `prompted`: it has printed its prompt already (a re-attached one). */
  #adoptShell(opened: Promise<SandboxProcess>, prompted: boolean): void {
    let markPrompted = () => {};
    const shell = { process: opened, prompted: prompted ? Promise.resolve() : new Promise<void>((resolve) => (markPrompted = resolve)) };
    this.#shell = shell;
    opened.then(
      async (process) => {
        await forEachChunk(process, (chunk) => {
          markPrompted();
          this.shellOutput.append(chunk);
        });
        if (this.#shell !== shell) return;
        this.#shell = null;
        this.shellOutput.append('\r\n\x1b[2m(the shell ended; press Enter for a new one)\x1b[0m\r\n');
      },
      (error: Error) => {
        if (this.#shell === shell) this.#shell = null;
        this.shellOutput.append(`\x1b[31mCould not open a shell: ${error.message}\x1b[0m\r\n`);
      },
    );
  }

  /** Keys for the shell: held until it has printed its prompt, so the first ones land after it. Enter after it ended opens a new one. */
  writeShell(data: string): void {
    if (!this.#shell) return void (data.includes('\r') && this.openShell());
    const shell = this.#shell;
    void Promise.all([shell.process, shell.prompted]).then(
      ([process]) => process.write(data),
      () => undefined,
    );
  }

  resizeShell(size: { cols: number; rows: number }): void {
    this.#shellSize = size;
    void this.#shell?.process.then(
      (process) => process.resize(size),
      () => undefined,
    );
  }

  /** Plays `perMinute` shoppers against the shop until stopped; their lines go to the shop's output. */
  async startShoppers(perMinute = this.#state.shoppers.perMinute): Promise<void> {
    const runtime = this.#runtime;
    if (!runtime) return;
    this.stopShoppers();
    this.#set({ shoppers: { running: true, perMinute } });
    let started: SandboxProcess;
    try {
      // With SHOP_PARENT_PIPE, the simulator ends when this process is stopped, however the runtime stops it.
      started = await runtime.spawn('node', [...SHOP_SCRIPTS.shoppers, '--rate', String(perMinute)], {
        env: { SHOP_PARENT_PIPE: '1' },
        name: PROCESS_NAMES.shoppers,
      });
    } catch (error) {
      this.#set({ shoppers: { running: false, perMinute } });
      this.output.append(`\r\n\x1b[31mCould not start the shoppers: ${(error as Error).message}\x1b[0m\r\n`);
      return;
    }
    if (runtime !== this.#runtime || !this.#state.shoppers.running) return void started.kill();
    this.#adoptShoppers(runtime, started, perMinute);
  }

  /** Follows a running simulator: its lines into Shop output, its end. */
  #adoptShoppers(runtime: Runtime, started: SandboxProcess, perMinute: number): void {
    if (runtime !== this.#runtime) return;
    this.#shoppers = started;
    this.#set({ shoppers: { running: true, perMinute } });
    void forEachChunk(started, (chunk) => this.output.append(chunk.replace(/^(?=.)/gm, '\x1b[32m[shoppers]\x1b[0m ')));
    void started.exit.then(() => {
      if (this.#shoppers !== started) return;
      this.#shoppers = null;
      this.#set({ shoppers: { ...this.#state.shoppers, running: false } });
    });
  }

  setShopperRate(perMinute: number): void {
    this.#set({ shoppers: { ...this.#state.shoppers, perMinute } });
  }

  stopShoppers(): void {
    this.#shoppers?.kill();
    this.#shoppers = null;
    if (this.#state.shoppers.running) this.#set({ shoppers: { ...this.#state.shoppers, running: false } });
  }

  /** Ends the sandbox (the page is going away). */
  async end(): Promise<void> {
    this.#bootId++;
    const runtime = this.#runtime;
    this.#detach();
    this.#set({ runtimeKind: null, previewUrl: null, shop: 'stopped' });
    await runtime?.teardown();
  }

  /** The page came back from the back/forward cache: boot again if its sandbox went away. */
  resume(): void {
    if (this.#state.lessonId && (!this.#runtime || this.#state.boot.error?.step === 'runtime') && !this.#booting) void this.boot();
  }

  // --- Check ----------------------------------------------------------------------------------

  async check(): Promise<CheckRun | null> {
    const { lesson, lessonId } = this.#state;
    const runtime = this.#runtime;
    if (!runtime || !lesson || !lessonId || this.#state.check.running) return null;
    const { run: previous } = this.#state.check;
    this.#set({ check: { running: true, waitingForShop: false, run: previous } });
    const started = Date.now();
    let run: CheckRun;
    try {
      // The checks see what the editor shows, and the backend running it.
      await this.#settle(() => this.#set({ check: { running: true, waitingForShop: true, run: previous } }));
      this.#set({ check: { running: true, waitingForShop: false, run: previous } });
      const broken = this.#shopProblem();
      run = broken
        ? { passed: false, results: [{ name: 'The shop runs your code', status: 'failed', message: broken }], output: '', durationMs: Date.now() - started }
        : await runChecks(runtime, lesson.checks, { onBusy: () => this.#set({ check: { running: true, waitingForShop: false, busy: true, run: previous } }) });
      if (run.passed) markCompleted(lessonId);
    } catch (error) {
      run = { passed: false, results: [{ name: 'Run the checks', status: 'failed', message: (error as Error).message }], output: '', durationMs: 0 };
    }
    const lacking = run.passed ? [] : missingFor(this.#state.missing, lessonId);
    if (lacking.length) {
      run = {
        ...run,
        note: `This sandbox's Node lacks what this lesson needs: ${lacking.map((entry) => `${entry.effect} (${entry.name} is missing)`).join('; ')}. Its checks cannot pass here; run the course on your own computer with \`npm start\` to complete it.`,
      };
    }
    saveLastCheck(lessonId, run);
    if (this.#state.lessonId === lessonId) this.#set({ check: { running: false, waitingForShop: false, run } });
    return run;
  }

  /** Why the shop cannot run the learner's code right now (a part failed, or it stopped), or null: a Check need not start then. */
  #shopProblem(): string | null {
    const { shop, parts } = this.#state;
    const where = (status: PartStatus | undefined) => {
      const problem = status?.problem;
      return problem ? `${problem.file ? `${problem.file}:${problem.line}:${problem.column}: ` : ''}${problem.message}` : 'see the Shop output tab';
    };
    if (shop === 'stopped') return 'The shop is stopped: press Restart, then Check again.';
    if (shop === 'failed') return `The backend is not running: ${where(parts[BACKEND])}. Fix it and save; the backend restarts on its own.`;
    if (parts[FRONTEND]?.state === 'failed') return `The frontend does not compile: ${where(parts[FRONTEND])}. Fix it and save.`;
    return null;
  }

  /** Resolves once `done(state)` holds, or after `timeoutMs`. */
  #until(done: (state: SessionState) => boolean, timeoutMs: number): Promise<void> {
    if (timeoutMs <= 0 || done(this.#state)) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      const unsubscribe = this.subscribe(() => done(this.#state) && finish());
    });
  }

  /** Writes every pending edit now. */
  flush(): Promise<void> {
    return this.#sync.flush();
  }
}

/** The shop's state, as its backend's status tells it. */
function shopStateOf(backend: PartStatus): ShopState {
  if (backend.state === 'ready') return 'ready';
  if (backend.state === 'building' || backend.state === 'starting') return 'restarting';
  return 'failed';
}

let pageSession: CourseSession | null = null;

/**
 * The page's session: created on first use, kept for as long as the document lives. Leaving the
 * page does not tear the sandbox down: the local runtime keeps it for a moment, for a reload to
 * take back, then ends it; a WebContainer ends with its page.
 */
export function courseSession(): CourseSession {
  if (!pageSession) {
    pageSession = new CourseSession();
    const session = pageSession;
    window.addEventListener('pageshow', (event) => {
      if (event.persisted) session.resume();
    });
  }
  return pageSession;
}
