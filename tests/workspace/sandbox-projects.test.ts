/**
 * The editor's TypeScript projects (src/workspace/typescript/sandbox-projects.ts), with the real
 * compiler and the declarations asset the browser loads: each file checked by the project of the
 * shop's tsconfig.json that owns it, real mistakes marked on their line. That no lesson's code has
 * anything marked is proven once, in the editor itself (tests/browser/walkthrough.test.ts), and
 * by tsc (tests/lessons/typecheck.test.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, test } from 'vitest';
import { lessonIds, lessonSandbox } from '../../src/lessons/sandbox-files.ts';
import type { FileMap } from '../../src/runtime/types.ts';
import { SandboxProjects, type SandboxFile } from '../../src/workspace/typescript/sandbox-projects.ts';
import { declarationsAsset } from '../support/declarations.ts';

const libFolder = fileURLToPath(new URL('../../node_modules/typescript/lib/', import.meta.url));

/**
 * Parsed files, shared by every test's projects: the declarations are parsed once. A file's version
 * is unique across tests (the registry knows a file by its name and version).
 */
const registry = ts.createDocumentRegistry(true, '');
let version = 0;

/** A sandbox as the editor's worker holds it: files that change with a version, and the declarations. */
function sandboxOf(files: FileMap, declarations: Record<string, string>) {
  const sandbox = new Map<string, SandboxFile>();
  const held = { map: new Map<string, SandboxFile>(), version: 0 };
  const use = (packages: Record<string, string>) => {
    held.version++;
    held.map = new Map(Object.entries(packages).map(([path, text]) => [`file:///${path}`, { text, version: `d${held.version}` }]));
  };
  const write = (path: string, text: string | undefined) => {
    if (text === undefined) sandbox.delete(`file:///${path}`);
    else sandbox.set(`file:///${path}`, { text, version: String(++version) });
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  use(declarations);
  const projects = new SandboxProjects(
    ts,
    {
      sandbox: () => sandbox,
      declarations: () => held.map,
      declarationsVersion: () => held.version,
      lib: (name) => {
        try {
          return readFileSync(`${libFolder}${name}`, 'utf8');
        } catch {
          return undefined;
        }
      },
    },
    registry,
  );
  /** Every problem the editor would list (not suggestions), as `path:line message`; every project checked unless `opened` says which files were. */
  const problems = (opened?: string[]) =>
    [
      ...projects.diagnostics(
        false,
        opened?.map((path) => `file:///${path}`),
      ),
    ].flatMap(([fileName, diagnostics]) =>
      diagnostics
        .filter((diagnostic) => diagnostic.category !== ts.DiagnosticCategory.Suggestion)
        .map((diagnostic) => {
          const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
          return `${fileName.slice('file:///'.length)}:${line} ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
        }),
    );
  const text = (path: string) => sandbox.get(`file:///${path}`)!.text;
  const edit = (path: string, change: (text: string) => string) => write(path, change(text(path)));
  return { projects, problems, write, edit, text, useDeclarations: use };
}

let declarations: Record<string, string>;
let shop: FileMap;
beforeAll(async () => {
  declarations = (await declarationsAsset()).files;
  shop = (await lessonSandbox(lessonIds()[0]!)).start;
}, 300_000);

// Each test builds its projects from nothing, the packages' declarations included: seconds of CPU,
// over half a minute with the other lanes beside it.
describe('the sandbox as TypeScript projects', { timeout: 180_000 }, () => {
  test('a wrong argument type and a misspelt Sentry option are marked on their lines', async () => {
    const lesson = await lessonSandbox('02-trace-the-backend');
    const sandbox = sandboxOf({ ...lesson.start, ...lesson.solution }, declarations);
    sandbox.edit('backend/src/inventory.ts', (text) => text.replace('return stock.get(productId) ?? 0;', 'return stock.get(42) ?? 0;'));
    sandbox.edit('backend/src/instrument.ts', (text) => text.replace('tracesSampleRate', 'tracesSampleRat'));
    expect(sandbox.problems().sort()).toEqual([
      "backend/src/instrument.ts:6 Object literal may only specify known properties, but 'tracesSampleRat' does not exist in type 'NodeOptions'. Did you mean to write 'tracesSampleRate'?",
      "backend/src/inventory.ts:18 Argument of type 'number' is not assignable to parameter of type 'string'.",
    ]);
  });

  test('after an edit, as tsc --watch: every file it breaks is marked, what other files had stays marked, and a fix clears it', () => {
    const sandbox = sandboxOf(shop, declarations);
    const opened = ['backend/src/inventory.ts'];
    expect(sandbox.problems(opened)).toEqual([]);
    sandbox.edit('backend/src/app.ts', (text) => `${text}\nexport const wrong: number = 'text';\n`);
    const inApp = expect.stringMatching(/^backend\/src\/app\.ts:\d+ Type 'string' is not assignable to type 'number'\.$/);
    expect(sandbox.problems(opened)).toEqual([inApp]);
    // A changed signature breaks its callers in another file, which nobody edited.
    const original = sandbox.text('backend/src/inventory.ts');
    sandbox.edit('backend/src/inventory.ts', (text) =>
      text.replace('export function unitsInStock(productId: string)', 'export function unitsInStock(productId: number)'),
    );
    const inCheckout = expect.stringMatching(/^backend\/src\/checkout\.ts:\d+ Argument of type 'string' is not assignable to parameter of type 'number'\.$/);
    expect(sandbox.problems(opened)).toEqual(expect.arrayContaining([inApp, inCheckout]));
    // An edit that changes no file's shape re-checks that file alone: the others keep their marks.
    sandbox.edit('backend/src/catalog.ts', (text) => `${text}\n// a note\n`);
    expect(sandbox.problems(opened)).toEqual(expect.arrayContaining([inApp, inCheckout]));
    sandbox.write('backend/src/inventory.ts', original);
    expect(sandbox.problems(opened)).toEqual([inApp]);
  });

  test('with declaration emit on in a tsconfig.json, what cannot be emitted is marked, as tsc marks it', () => {
    const sandbox = sandboxOf(shop, declarations);
    sandbox.edit('backend/tsconfig.json', (text) =>
      text.replace('"compilerOptions": {', '"compilerOptions": { "declaration": true, "isolatedDeclarations": true,'),
    );
    expect(sandbox.problems(['backend/src/inventory.ts'])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^backend\/src\/inventory\.ts:\d+ Parameter must have an explicit type annotation with --isolatedDeclarations\.$/),
      ]),
    );
  });

  test('each file is checked with its own tsconfig.json: Node and NodeNext in the backend, a bundler without Node in the frontend', () => {
    const sandbox = sandboxOf(shop, declarations);
    // The same two lines in each: an import without its extension, and Node's `process`.
    sandbox.edit('backend/src/inventory.ts', (text) => `import { catalog as all } from './catalog';\nexport const started = process.uptime();\n${text}`);
    sandbox.edit('frontend/src/api.ts', (text) => `import { Cart as Basket } from './components/Cart';\nexport const started = process.uptime();\n${text}`);
    expect(sandbox.problems().sort()).toEqual([
      expect.stringMatching(/^backend\/src\/inventory\.ts:1 Relative import paths need explicit file extensions/),
      expect.stringMatching(/^frontend\/src\/api\.ts:2 Cannot find name 'process'\./),
    ]);
  });

  test('imports resolve once the declarations arrive, and once a missing file is made', () => {
    const sandbox = sandboxOf(shop, {});
    sandbox.edit('backend/src/app.ts', (text) => `import { slug } from './slug.ts';\n${text}\nexport const id = slug('Trail Mug');\n`);
    expect(sandbox.problems()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^backend\/src\/app\.ts:1 Cannot find module '\.\/slug\.ts'/),
        expect.stringMatching(/^backend\/src\/app\.ts:\d+ Cannot find module 'express'/),
      ]),
    );
    sandbox.useDeclarations(declarations);
    sandbox.write('backend/src/slug.ts', 'export const slug = (name: string) => name.toLowerCase().replaceAll(" ", "-");\n');
    expect(sandbox.problems()).toEqual([]);
  });

  test("a file no tsconfig.json takes in is checked strictly, on its own; a tsconfig's own problem is marked on it", () => {
    const sandbox = sandboxOf(shop, declarations);
    sandbox.write('notes/try.ts', 'export function twice(n) {\n  return n * 2;\n}\n');
    sandbox.edit('backend/tsconfig.json', (text) => text.replace('"types": ["node"]', '"types": ["nodes"]'));
    expect(sandbox.problems()).toEqual([
      expect.stringMatching(/^backend\/tsconfig\.json:0 Cannot find type definition file for 'nodes'\./),
      "notes/try.ts:1 Parameter 'n' implicitly has an 'any' type.",
    ]);
  });

  test('as in an IDE, a project is checked in full once one of its files is opened; until then its files are only parsed', () => {
    const sandbox = sandboxOf(shop, declarations);
    sandbox.edit('tests/backend.test.ts', (text) => `${text}\nexport const wrong: number = 'text';\n`);
    sandbox.edit('frontend/src/api.ts', (text) => `${text}\nexport const wrong: number = 'text';\n`);
    sandbox.write('tests/unfinished.test.ts', "import { test } from 'vitest';\ntest('checkout', () => {\n");
    const typeError = (path: string) =>
      expect.stringMatching(new RegExp(`^${path.replaceAll('.', '\\.')}:\\d+ Type 'string' is not assignable to type 'number'\\.$`));
    const syntaxError = "tests/unfinished.test.ts:3 '}' expected.";
    // The learner has the backend open: the tests' syntax error shows, no type in them or in the frontend is judged.
    expect(sandbox.problems(['backend/src/inventory.ts'])).toEqual([syntaxError]);
    expect(sandbox.problems(['backend/src/inventory.ts', 'frontend/src/App.tsx']).sort()).toEqual([typeError('frontend/src/api.ts'), syntaxError]);
    expect(sandbox.problems(['backend/src/inventory.ts', 'tests/unfinished.test.ts']).sort()).toEqual([typeError('tests/backend.test.ts'), syntaxError]);
  });
});
