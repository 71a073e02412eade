/**
 * Monaco, loaded on demand (after the lesson is on screen). Vite bundles its workers. TypeScript
 * and JavaScript files get ours (typescript/project-worker.ts): Monaco's TypeScript worker, with
 * each file answered by the project of the shop's tsconfig.json that owns it, as tsc checks it.
 */
import * as monaco from 'monaco-editor';
// Monaco's stylesheet as one file (its icon font inline), added when the editor loads. The CSS its
// ES modules import would otherwise be hoisted into every lesson page and block its first paint.
// (A relative path: the package's exports reach only its ES modules.)
import stylesheet from '../../node_modules/monaco-editor/min/vs/editor/editor.main.css?url';
import { loadStylesheet } from './load-stylesheet.ts';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import ProjectWorker from './typescript/project-worker.ts?worker';
import JsonWorker from 'monaco-editor/language/json/json.worker.js?worker';
import CssWorker from 'monaco-editor/language/css/css.worker.js?worker';
import HtmlWorker from 'monaco-editor/language/html/html.worker.js?worker';

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'typescript' || label === 'javascript') return new ProjectWorker();
    if (label === 'json') return new JsonWorker();
    if (label === 'css' || label === 'scss' || label === 'less') return new CssWorker();
    // Its language features (links, formatting) ask the HTML worker: the plain one would throw.
    if (label === 'html' || label === 'handlebars' || label === 'razor') return new HtmlWorker();
    return new EditorWorker();
  },
};

// Compiler options come from the sandbox's tsconfig.json files, per project, and every file is
// checked at once by typescript/type-checker.ts: Monaco's own check sees one file at a time.
for (const defaults of [monaco.typescript.typescriptDefaults, monaco.typescript.javascriptDefaults]) {
  defaults.setModeConfiguration({ ...defaults.modeConfiguration, diagnostics: false });
}

// vs-dark's comments (#608b4e on #1e1e1e, 4.2:1) fall short of WCAG AA; everything else passes.
monaco.editor.defineTheme('ctl-dark', { base: 'vs-dark', inherit: true, rules: [{ token: 'comment', foreground: '7ca668' }], colors: {} });

await loadStylesheet(stylesheet);

export { monaco };
