import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import react from '@astrojs/react';
import { siteHeaders } from './src/server/isolation-headers.ts';
import { hostHeaders } from './src/server/host-headers.ts';
import { packagesSnapshot } from './src/snapshot/astro-integration.ts';
import { declarationsAsset } from './src/declarations/astro-integration.ts';
import { criticalCss } from './src/build/critical-css.ts';
import { monacoStockWorkers } from './src/build/monaco-stock-workers.ts';
import { codeFromFiles, transformerDiffMarks } from './src/lessons/code-from-files.ts';
import { satteri } from '@astrojs/markdown-satteri';

/** The WebContainer contract tests' page, in the tests' own build of the site only. */
const runtimeHarness = {
  name: 'checkout-trace-lab:runtime-harness',
  hooks: {
    'astro:config:setup': ({ injectRoute }) => {
      if (process.env.CTL_RUNTIME_HARNESS === '1') injectRoute({ pattern: '/dev/runtime-harness', entrypoint: './tests/support/runtime-harness/page.astro' });
    },
  },
};

// The site is static: `npm start` builds it and serves dist/ from src/server/main.ts, which also
// hosts the local sandbox runtime. WebContainers need cross-origin isolation wherever the site is
// served, so the dev server sends the same headers as the production server and the host configs.
export default defineConfig({
  output: 'static',
  // Tests build a second copy (the site with monitoring on) beside the first.
  outDir: process.env.CTL_OUT_DIR ?? './dist',
  // Lesson links marked data-astro-prefetch load the next page while the learner reaches for them.
  prefetch: { defaultStrategy: 'hover' },
  integrations: [react(), mdx(), hostHeaders(), criticalCss(), packagesSnapshot(), declarationsAsset(), runtimeHarness],
  server: { headers: siteHeaders },
  markdown: {
    // Both code themes are rendered as CSS variables; global.css picks the one for the active theme.
    // The high-contrast variants keep every token readable (WCAG AA) on the code background.
    shikiConfig: {
      themes: { light: 'github-light-high-contrast', dark: 'github-dark-high-contrast' },
      defaultColor: false,
      transformers: [transformerDiffMarks()],
    },
    // Code blocks that name a file of the lesson's sandbox show that file (src/lessons/code-from-files.ts).
    processor: satteri({ mdastPlugins: [codeFromFiles] }),
  },
  vite: {
    plugins: [monacoStockWorkers()],
    server: { headers: siteHeaders },
    preview: { headers: siteHeaders },
  },
});
