/**
 * The editor's TypeScript worker: Monaco's own, but every request about a file (hover,
 * completions, diagnostics, go to definition…) is answered by the language service of the project
 * that owns the file (sandbox-projects.ts), over the sandbox's files and the packages' declarations.
 */
import { initialize, libFileMap, type MirrorModel, ts as services, TypeScriptWorker, type WorkerContext } from 'monaco-editor/language/typescript/ts.worker.js';
import { packageFolderOf } from '../../declarations/packages.ts';
import { SandboxProjects, type SandboxFile } from './sandbox-projects.ts';
import type { DeclarationsRequest, SandboxDiagnostics } from './worker-api.ts';

const ts = services.typescript;

/** The declarations asset, fetched once per worker and gunzipped here, off the page's thread. */
const assets = new Map<string, Promise<Record<string, string>>>();

function fetchAsset(url: string): Promise<Record<string, string>> {
  let asset = assets.get(url);
  if (!asset) {
    asset = fetch(url).then(async (response) => {
      if (!response.ok || !response.body) throw new Error(`the packages\u2019 types did not load (HTTP ${response.status})`);
      return JSON.parse(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).text()) as Record<string, string>;
    });
    asset.catch(() => assets.delete(url));
    assets.set(url, asset);
  }
  return asset;
}

const isLibModel = (model: MirrorModel) => model.uri.path.startsWith('/lib.') && model.uri.path.slice(1) in libFileMap;

class ProjectWorker extends TypeScriptWorker {
  readonly #ctx: WorkerContext;
  readonly #projects: SandboxProjects;
  #declarations = new Map<string, SandboxFile>();
  #declarationsVersion = 0;
  /** Each model's text at a version, and an instance number: a model that goes and comes back starts its versions again. */
  #seen = new WeakMap<MirrorModel, SandboxFile>();
  #nextInstance = 0;
  /**
   * The sandbox as this request sees it: models change only between requests (each change is a
   * message of its own), and TypeScript asks for the files thousands of times in one.
   */
  #files: Map<string, SandboxFile> | null = null;

  constructor(ctx: WorkerContext, createData: unknown) {
    super(ctx, createData);
    this.#ctx = ctx;
    this.#projects = new SandboxProjects(ts, {
      sandbox: () => this.#sandbox(),
      declarations: () => this.#declarations,
      declarationsVersion: () => this.#declarationsVersion,
      lib: (name) => libFileMap[name],
    });
    // The stock worker asks `_languageService` with the file's name first: the file's project answers.
    this._languageService = new Proxy({} as typeof this._languageService, {
      get:
        (_, method: keyof typeof this._languageService) =>
        (fileName: string, ...rest: unknown[]) => {
          this.#files = null;
          return (this.#projects.serviceFor(fileName)[method] as (...args: unknown[]) => unknown)(fileName, ...rest);
        },
    });
  }

  #sandbox(): Map<string, SandboxFile> {
    if (this.#files) return this.#files;
    this.#files = new Map();
    for (const model of this.#ctx.getMirrorModels()) {
      if (model.uri.scheme !== 'file' || isLibModel(model)) continue;
      let file = this.#seen.get(model);
      const instance = file?.version.split('.')[0] ?? String(this.#nextInstance++);
      if (file?.version !== `${instance}.${model.version}`) {
        file = { text: model.getValue(), version: `${instance}.${model.version}` };
        this.#seen.set(model, file);
      }
      this.#files.set(model.uri.toString(), file);
    }
    return this.#files;
  }

  override async getCompilerOptionsDiagnostics(fileName: string) {
    this.#files = null;
    return TypeScriptWorker.clearFiles(this.#projects.serviceFor(fileName).getCompilerOptionsDiagnostics());
  }

  async loadDeclarations({ asset, replaced, added }: DeclarationsRequest): Promise<number> {
    const files = asset ? await fetchAsset(asset) : {};
    const gone = new Set(replaced);
    const version = String(++this.#declarationsVersion);
    const declarations = new Map<string, SandboxFile>();
    const add = (path: string, text: string) => {
      const fileName = `file:///${path}`;
      const kept = this.#declarations.get(fileName);
      // An unchanged file keeps its version, so TypeScript keeps what it parsed of it.
      declarations.set(fileName, kept?.text === text ? kept : { text, version });
    };
    for (const [path, text] of Object.entries(files)) if (!gone.has(packageFolderOf(path) ?? '')) add(path, text);
    for (const [path, text] of Object.entries(added)) add(path, text);
    this.#declarations = declarations;
    return declarations.size;
  }

  async sandboxDiagnostics(syntaxOnly: boolean, opened: string[]): Promise<SandboxDiagnostics> {
    this.#files = null;
    const versions = Object.fromEntries(this.#ctx.getMirrorModels().map((model) => [model.uri.toString(), model.version]));
    const found = this.#projects.diagnostics(syntaxOnly, opened);
    return { versions, diagnostics: Object.fromEntries([...found].map(([fileName, diagnostics]) => [fileName, TypeScriptWorker.clearFiles(diagnostics)])) };
  }
}

// Monaco's worker module answers its first message with the stock worker; this one answers instead.
self.onmessage = () => initialize((ctx, createData) => new ProjectWorker(ctx, createData));
