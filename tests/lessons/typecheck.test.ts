/**
 * Every lesson's sandbox, as a learner gets it at the start and as "Show solution" leaves it, type
 * checks: the backend, the frontend, the shop's tests, scripts and tool configs, and the lesson's
 * checkpoints with their support files, with the shop's own tsconfig.json files. Nobody meets a
 * red squiggle we did not see (tests/browser/walkthrough.test.ts looks in the editor). The sandboxes are assembled in memory (src/lessons/sandbox-files.ts); packages come from the
 * shop's installed node_modules.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import type { FileMap } from '../../src/runtime/types.ts';

const storefront = fileURLToPath(new URL('../../sandboxes/storefront/', import.meta.url));
/** Where the assembled sandbox seems to live, for the compiler. */
const ROOT = '/lesson-sandbox';

interface Project {
  name: string;
  /** The shop's tsconfig for this part. */
  tsconfig: string;
  files: (sandbox: FileMap) => string[];
}

const PROJECTS: Project[] = [
  { name: 'backend', tsconfig: 'backend/tsconfig.json', files: (sandbox) => Object.keys(sandbox).filter((path) => /^backend\/src\/.*\.ts$/.test(path)) },
  { name: 'frontend', tsconfig: 'frontend/tsconfig.json', files: (sandbox) => Object.keys(sandbox).filter((path) => /^frontend\/src\/.*\.tsx?$/.test(path)) },
  {
    // The shop's tests, scripts and tool configs, and the lesson's checks, which run under Vitest beside the learner's tests.
    name: 'tests, scripts and checks',
    tsconfig: 'tsconfig.json',
    // course-checks/storefront/ and shipped/ hold shop files as they were before a lesson's story and
    // as its start shipped them (the backend project checks those); the checks load them with the
    // rest of the shop around them.
    files: (sandbox) =>
      Object.keys(sandbox).filter(
        (path) =>
          /^((tests|scripts|course-checks)\/.*\.tsx?|(frontend\/)?[^/]+\.config\.ts)$/.test(path) && !/^course-checks\/(storefront|shipped)\//.test(path),
      ),
  },
];

const parsed = new Map<string, ts.SourceFile>();
/**
 * The last program per project, as tsc --watch keeps it: the next sandbox's program reuses what did
 * not change, and only files that changed, or whose imports' types changed, are checked again.
 */
const previous = new Map<string, ts.SemanticDiagnosticsBuilderProgram>();

/** A compiler host over the assembled files, with node_modules from the installed shop. */
function sandboxHost(files: FileMap, options: ts.CompilerOptions): ts.CompilerHost {
  const base = ts.createCompilerHost(options, true);
  const inSandbox = (file: string) => file.startsWith(`${ROOT}/`);
  const relative = (file: string) => file.slice(ROOT.length + 1);
  const onDisk = (file: string) => (inSandbox(file) && /^node_modules(\/|$)/.test(relative(file)) ? join(storefront, relative(file)) : file);
  const folders = new Set(
    Object.keys(files).flatMap((path) =>
      path
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  const readFile = (file: string) => (inSandbox(file) && relative(file) in files ? files[relative(file)] : base.readFile(onDisk(file)));
  return {
    ...base,
    getCurrentDirectory: () => ROOT,
    fileExists: (file) => (inSandbox(file) && relative(file) in files) || base.fileExists(onDisk(file)),
    readFile,
    directoryExists: (dir) => dir === ROOT || (inSandbox(dir) && folders.has(relative(dir))) || existsSync(onDisk(dir)),
    realpath: (path) => path,
    getSourceFile: (file, language) => {
      const text = readFile(file);
      if (text === undefined) return undefined;
      // Parsed once across all lessons: lib and package declarations are the same every time.
      const kept = parsed.get(file);
      if (kept?.text === text) return kept;
      const source = ts.createSourceFile(file, text, language, true);
      // What the builder compares to tell a changed file from the one it checked before.
      (source as ts.SourceFile & { version: string }).version = base.createHash?.(text) ?? text;
      parsed.set(file, source);
      return source;
    },
  };
}

function optionsOf(project: Project, files: FileMap): ts.CompilerOptions {
  const { config } = ts.parseConfigFileTextToJson(project.tsconfig, files[project.tsconfig] ?? readFileSync(join(storefront, project.tsconfig), 'utf8'));
  return ts.parseJsonConfigFileContent(config, ts.sys, posix.join(ROOT, dirname(project.tsconfig))).options;
}

function typeErrors(files: FileMap, project: Project): string[] {
  const options = optionsOf(project, files);
  const program = ts.createSemanticDiagnosticsBuilderProgram(
    project.files(files).map((path) => `${ROOT}/${path}`),
    options,
    sandboxHost(files, options),
    previous.get(project.name),
  );
  previous.set(project.name, program);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  ];
  return diagnostics.map((diagnostic) => {
    const where = diagnostic.file
      ? `${diagnostic.file.fileName.replace(`${ROOT}/`, '')}:${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
  });
}

describe.each(lessonIds())('lesson %s type checks', (lessonId) => {
  test.each(['at its start', 'with its solution'])('%s', { timeout: 120_000 }, async (moment) => {
    const sandbox = await lessonSandbox(lessonId);
    const files = { ...sandbox.start, ...(moment === 'with its solution' ? sandbox.solution : {}), ...sandbox.checks };
    for (const project of PROJECTS) expect(typeErrors(files, project), `${project.name} of lesson ${lessonId} ${moment}`).toEqual([]);
  });
});
