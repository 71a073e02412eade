/**
 * Monaco, loaded on demand (after the lesson is on screen). Vite bundles its workers; the
 * TypeScript worker gives the learner types and diagnostics for .ts/.tsx files.
 */
import * as monaco from 'monaco-editor';
// Monaco's stylesheet as one file (its icon font inline), added when the editor loads. The CSS its
// ES modules import would otherwise be hoisted into every lesson page and block its first paint.
// (A relative path: the package's exports reach only its ES modules.)
import stylesheet from '../../node_modules/monaco-editor/min/vs/editor/editor.main.css?url';
import { loadStylesheet } from './load-stylesheet.ts';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import TsWorker from 'monaco-editor/language/typescript/ts.worker.js?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker.js?worker';
import CssWorker from 'monaco-editor/language/css/css.worker.js?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    if (label === 'json') return new JsonWorker();
    if (label === 'css' || label === 'scss' || label === 'less') return new CssWorker();
    return new EditorWorker();
  },
};

const compilerOptions: monaco.typescript.CompilerOptions = {
  target: monaco.typescript.ScriptTarget.ES2020,
  module: monaco.typescript.ModuleKind.ESNext,
  moduleResolution: monaco.typescript.ModuleResolutionKind.NodeJs,
  jsx: monaco.typescript.JsxEmit.ReactJSX,
  strict: true,
  esModuleInterop: true,
  allowImportingTsExtensions: true,
  noEmit: true,
  allowNonTsExtensions: true,
};
monaco.typescript.typescriptDefaults.setCompilerOptions(compilerOptions);
monaco.typescript.javascriptDefaults.setCompilerOptions(compilerOptions);
// The packages' own type definitions live in the sandbox's node_modules, which the editor does not
// load; without them every import would be flagged. Everything else (syntax, types inside the
// learner's files) is still checked.
monaco.typescript.typescriptDefaults.setDiagnosticsOptions({ diagnosticCodesToIgnore: [2307, 2792, 7016, 2875] });

// vs-dark's comments (#608b4e on #1e1e1e, 4.2:1) fall short of WCAG AA; everything else passes.
monaco.editor.defineTheme('ctl-dark', { base: 'vs-dark', inherit: true, rules: [{ token: 'comment', foreground: '7ca668' }], colors: {} });

await loadStylesheet(stylesheet);

export { monaco };
