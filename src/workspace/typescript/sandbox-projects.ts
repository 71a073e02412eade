/**
 * The sandbox as TypeScript projects, the way `tsc -p` and an IDE see it: one project per
 * tsconfig.json in the sandbox (its own compiler options and files), and every file answered by
 * the project that owns it. Monaco gives a language one set of compiler options; the shop needs
 * two at least (the backend on Node with NodeNext, the frontend in the DOM with a bundler), so the
 * editor's TypeScript worker asks this instead (project-worker.ts).
 *
 * Pure: the TypeScript namespace and the files come in, so Node tests run it with the real
 * compiler and the worker with Monaco's copy of the same version.
 */
import type * as TS from 'typescript';

type Ts = typeof TS;

/** File names are URIs, as Monaco names its models: `file:///backend/src/app.ts`. */
export const SANDBOX_ROOT = 'file:///';

export interface SandboxFile {
  text: string;
  /** Changes whenever the text does. */
  version: string;
}

export interface ProjectFiles {
  /** The files the editor holds, by file name. */
  sandbox(): ReadonlyMap<string, SandboxFile>;
  /** Installed packages' declarations and package.json files, by file name (`file:///node_modules/…`). */
  declarations(): ReadonlyMap<string, SandboxFile>;
  /** Changes whenever the packages do. */
  declarationsVersion(): number;
  /** TypeScript's own lib files, by bare name (`lib.dom.d.ts`), as Monaco ships them. */
  lib(name: string): string | undefined;
}

/** What the editor marks in one file: TypeScript's diagnostics, from the project that owns it. */
export type FileDiagnostics = Map<string, TS.Diagnostic[]>;

const SCRIPT = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const CONFIG = /\/tsconfig\.json$/;

/**
 * A file no tsconfig.json takes in (a learner's new file outside every project) is checked as an
 * IDE checks a loose file: strict, the shop's module style, JavaScript allowed but not checked.
 */
export function looseFileOptions(ts: Ts): TS.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.ReactJSX,
    strict: true,
    allowJs: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
  };
}

interface Project {
  /** The tsconfig.json's file name, or null for loose files. */
  config: string | null;
  /** What the names of files in its folder start with: `file:///backend/`. */
  folder: string;
  options: TS.CompilerOptions;
  fileNames: string[];
  /** Problems with the tsconfig.json itself. */
  configErrors: TS.Diagnostic[];
  service: TS.LanguageService;
  /** What was checked last, as tsc --watch keeps it (null until its first check). */
  checked: Checked | null;
}

/**
 * A project's last check: its program as tsc --watch's builder holds it (which knows which files a
 * change can reach, and keeps the semantic diagnostics of the others), and the suggestions per
 * file (unused and deprecated code), which the builder does not keep.
 */
interface Checked {
  builder: TS.SemanticDiagnosticsBuilderProgram;
  suggestions: Map<string, readonly TS.Diagnostic[]>;
}

const depth = (fileName: string | null) => fileName?.split('/').length ?? 0;

export class SandboxProjects {
  readonly #ts: Ts;
  readonly #files: ProjectFiles;
  readonly #registry: TS.DocumentRegistry;
  #projects: Project[] = [];
  /** The project of files no tsconfig.json takes in. */
  #loose: Project | undefined;
  /** Every script of the sandbox, each parsed alone: its syntax errors, with no program built around it. */
  #parseOnly: Project | undefined;
  /** What the projects were made from: the sandbox's file names, its tsconfig texts, the declarations. */
  #madeFrom = '';
  /** Folders' children, and what they were made from: the sandbox as last seen, its file names, the declarations' version. */
  #folders: { files: ReadonlyMap<string, SandboxFile>; sandbox: string; declarations: number; children: Map<string, Set<string>> } | null = null;

  /** `registry`: where parsed files are kept; one shared by several instances parses each file once (names and versions must then not collide). */
  constructor(ts: Ts, files: ProjectFiles, registry: TS.DocumentRegistry = ts.createDocumentRegistry(true, '')) {
    this.#ts = ts;
    this.#files = files;
    this.#registry = registry;
  }

  /** The language service that answers for a file: its project's. */
  serviceFor(fileName: string): TS.LanguageService {
    return this.#ownerOf(fileName).service;
  }

  /**
   * Every problem TypeScript finds in the sandbox, per file, as the IDE would list it: each script
   * checked by its own project; a project's problems that belong to no file (an unknown compiler
   * option, a `types` entry that does not resolve) on its tsconfig.json. `syntaxOnly` when the
   * packages' declarations are missing, so nothing that needs them is judged without them.
   *
   * With `opened`, as tsserver does: a project is loaded (its program built, every file of it
   * checked) once a file it owns has been opened; the files of the others are only parsed. The
   * shop's tests and tools are a project of over a thousand declaration files (vitest, vite,
   * rollup…) that most lessons never open: checking it anyway would more than double the cost of
   * every page load.
   */
  diagnostics(syntaxOnly = false, opened?: readonly string[]): FileDiagnostics {
    this.#refresh();
    const sandbox = this.#files.sandbox();
    const loaded = syntaxOnly
      ? new Set<Project>()
      : new Set(opened ? opened.filter((fileName) => sandbox.has(fileName)).map((fileName) => this.#ownerOf(fileName)) : [...this.#projects, this.#loose!]);
    const found: FileDiagnostics = new Map();
    const add = (fileName: string, diagnostics: readonly TS.Diagnostic[]) => {
      if (diagnostics.length) found.set(fileName, [...(found.get(fileName) ?? []), ...diagnostics]);
    };
    for (const project of syntaxOnly ? [] : this.#projects)
      add(project.config!, [...project.configErrors, ...(loaded.has(project) ? project.service.getCompilerOptionsDiagnostics() : [])]);
    const affected = new Map([...loaded].map((project) => [project, this.#check(project)]));
    for (const fileName of sandbox.keys()) {
      if (!SCRIPT.test(fileName)) continue;
      const project = this.#ownerOf(fileName, loaded);
      if (!loaded.has(project)) {
        add(fileName, this.#parseOnly!.service.getSyntacticDiagnostics(fileName));
        continue;
      }
      const { service } = project;
      const { builder, suggestions } = project.checked!;
      add(fileName, service.getSyntacticDiagnostics(fileName));
      if (project.config === null) add(fileName, service.getCompilerOptionsDiagnostics());
      const source = builder.getSourceFile(fileName);
      if (!source) continue;
      if (affected.get(project)!.has(fileName) || !suggestions.has(fileName)) suggestions.set(fileName, service.getSuggestionDiagnostics(fileName));
      // As the language service answers: with declaration emit on, what it cannot emit is a problem too.
      const declarations = project.options.declaration || project.options.composite ? builder.getProgram().getDeclarationDiagnostics(source) : [];
      add(fileName, [...builder.getSemanticDiagnostics(source), ...declarations, ...suggestions.get(fileName)!]);
    }
    return found;
  }

  /**
   * Brings a loaded project's last check up to its files, as tsc --watch does after a save: the
   * files a change can reach (the changed ones, and those that import what changed shape) lose
   * what was found in them and are checked again when asked; the others keep it. Typing in one
   * file then costs that file, not the project. Returns the files a change reached.
   */
  #check(project: Project): Set<string> {
    const builder = this.#ts.createSemanticDiagnosticsBuilderProgram(project.service.getProgram()!, {}, project.checked?.builder);
    project.checked = { builder, suggestions: project.checked?.suggestions ?? new Map() };
    const affected = new Set<string>();
    // Walks the affected files without checking them (each is checked when asked for, above).
    builder.getSemanticDiagnosticsOfNextAffectedFile(undefined, (file) => {
      affected.add(file.fileName);
      return true;
    });
    return affected;
  }

  /**
   * The project that owns a file, as tsserver picks it: the nearest tsconfig.json that includes
   * it, else the nearest whose program imports it, else the loose files' project. Only the
   * programs of `built` projects are looked in, when it is given: the others are not built for it.
   */
  #ownerOf(fileName: string, built?: ReadonlySet<Project>): Project {
    this.#refresh();
    const nearestFirst = this.#projects.filter((project) => fileName.startsWith(project.folder));
    return (
      nearestFirst.find((project) => project.fileNames.includes(fileName)) ??
      nearestFirst.find((project) => (!built || built.has(project)) && project.service.getProgram()?.getSourceFile(fileName)) ??
      this.#loose!
    );
  }

  /**
   * Makes the projects again when a file or a package comes or goes, or a tsconfig.json changes:
   * an import that did not resolve may resolve now, and a language service does not look again by
   * itself (tsserver watches for that). Parsed files are kept in the registry and reused.
   */
  #refresh(): void {
    const sandbox = this.#files.sandbox();
    const configs = [...sandbox.keys()].filter((fileName) => CONFIG.test(fileName) && !fileName.includes('/node_modules/')).sort();
    const madeFrom = [...sandbox.keys(), this.#files.declarationsVersion(), ...configs.map((config) => sandbox.get(config)!.text)].join('\n');
    if (madeFrom === this.#madeFrom) return;
    this.#madeFrom = madeFrom;

    const ts = this.#ts;
    const previous = { projects: this.#projects, loose: this.#loose };
    for (const project of [...this.#projects, this.#loose, this.#parseOnly]) project?.service.dispose();
    this.#projects = configs
      .map((config) => {
        // Its JSON syntax is the JSON worker's to mark; what TypeScript makes of it is marked here.
        const json = ts.parseJsonText(config, sandbox.get(config)!.text);
        const folder = config.slice(0, config.lastIndexOf('/') + 1);
        const parsed = ts.parseJsonSourceFileConfigFileContent(json, this.#parseConfigHost(), folder, undefined, config);
        const before = previous.projects.find((project) => project.config === config);
        return this.#project(config, folder, parsed.options, parsed.fileNames, parsed.errors, before);
      })
      .sort((a, b) => depth(b.config) - depth(a.config));
    const inProjects = new Set(this.#projects.flatMap((project) => project.fileNames));
    const loose = [...sandbox.keys()].filter((fileName) => SCRIPT.test(fileName) && !inProjects.has(fileName));
    this.#loose = this.#project(null, SANDBOX_ROOT, looseFileOptions(ts), loose, [], previous.loose);
    const parseOnly = { ...looseFileOptions(ts), noResolve: true, noLib: true, types: [] };
    this.#parseOnly = this.#project(
      null,
      SANDBOX_ROOT,
      parseOnly,
      [...sandbox.keys()].filter((fileName) => SCRIPT.test(fileName)),
      [],
    );
  }

  /** `before`: the project this one replaces, whose last check it goes on from. */
  #project(config: string | null, folder: string, options: TS.CompilerOptions, fileNames: string[], configErrors: TS.Diagnostic[], before?: Project): Project {
    const project = { config, folder, options, fileNames, configErrors, checked: before?.checked ?? null } as Project;
    project.service = this.#ts.createLanguageService(this.#host(project), this.#registry);
    return project;
  }

  // --- the file system TypeScript sees ---------------------------------------------------------

  #text(fileName: string): string | undefined {
    return (this.#files.sandbox().get(fileName) ?? this.#files.declarations().get(fileName))?.text ?? this.#files.lib(fileName);
  }

  /** Every folder's children, for module and type resolution; rebuilt when files come or go. */
  #children(): Map<string, Set<string>> {
    const files = this.#files.sandbox();
    const declarations = this.#files.declarationsVersion();
    if (this.#folders?.files === files && this.#folders.declarations === declarations) return this.#folders.children;
    const sandbox = [...files.keys()].join('\n');
    if (this.#folders?.sandbox === sandbox && this.#folders.declarations === declarations) {
      this.#folders.files = files;
      return this.#folders.children;
    }
    const children = new Map<string, Set<string>>();
    for (const fileName of [...this.#files.sandbox().keys(), ...this.#files.declarations().keys()]) {
      let child = fileName;
      for (let parent = child.slice(0, child.lastIndexOf('/')); parent.length >= SANDBOX_ROOT.length - 1; parent = parent.slice(0, parent.lastIndexOf('/'))) {
        const siblings = children.get(parent) ?? new Set();
        const known = siblings.has(child);
        siblings.add(child);
        children.set(parent, siblings);
        if (known) break;
        child = parent;
      }
    }
    this.#folders = { files, sandbox, declarations, children };
    return children;
  }

  #isFile = (fileName: string) => this.#files.sandbox().has(fileName) || this.#files.declarations().has(fileName) || this.#files.lib(fileName) !== undefined;
  #isFolder = (path: string) => this.#children().has(path.replace(/\/$/, ''));

  #entries = (path: string): { files: string[]; directories: string[] } => {
    const files: string[] = [];
    const directories: string[] = [];
    for (const child of this.#children().get(path.replace(/\/$/, '')) ?? []) {
      const name = child.slice(child.lastIndexOf('/') + 1);
      (this.#isFolder(child) ? directories : files).push(name);
    }
    return { files, directories };
  };

  #readDirectory = (root: string, extensions?: readonly string[], excludes?: readonly string[], includes?: readonly string[], depth?: number): string[] =>
    // biome-ignore lint/suspicious/noExplicitAny: matchFiles is the compiler's own include/exclude matcher; its typings keep it internal.
    (this.#ts as any).matchFiles(root, extensions, excludes, includes, true, SANDBOX_ROOT, depth, this.#entries, (path: string) => path);

  #parseConfigHost(): TS.ParseConfigHost {
    return { useCaseSensitiveFileNames: true, readDirectory: this.#readDirectory, fileExists: this.#isFile, readFile: (fileName) => this.#text(fileName) };
  }

  #host(project: Project): TS.LanguageServiceHost {
    const ts = this.#ts;
    const files = this.#files;
    return {
      getProjectVersion: () => `${[...files.sandbox()].map(([fileName, file]) => `${fileName}@${file.version}`).join(',')}:${files.declarationsVersion()}`,
      getCompilationSettings: () => project.options,
      getScriptFileNames: () => project.fileNames,
      getScriptVersion: (fileName) =>
        files.sandbox().get(fileName)?.version ?? (files.declarations().has(fileName) ? `d${files.declarationsVersion()}` : 'lib'),
      getScriptSnapshot: (fileName) => {
        const text = this.#text(fileName);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      // Lib files go by their bare names (`lib.dom.d.ts`), as Monaco ships them: no folder.
      getCurrentDirectory: () => '',
      getDefaultLibFileName: (options) => ts.getDefaultLibFileName(options),
      fileExists: this.#isFile,
      readFile: (fileName) => this.#text(fileName),
      directoryExists: this.#isFolder,
      getDirectories: (path) => this.#entries(path).directories,
      readDirectory: this.#readDirectory,
      realpath: (path) => path,
      useCaseSensitiveFileNames: () => true,
    };
  }
}
