import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import react from '@astrojs/react';
import { crossOriginIsolationHeaders } from './src/server/isolation-headers.ts';
import { hostHeaders } from './src/server/host-headers.ts';
import { packagesSnapshot } from './src/snapshot/astro-integration.ts';

// The site is static: `npm start` builds it and serves dist/ from src/server/main.ts, which also
// hosts the local sandbox runtime. WebContainers need cross-origin isolation wherever the site is
// served, so the dev server sends the same headers as the production server and the host configs.
export default defineConfig({
  output: 'static',
  integrations: [react(), mdx(), hostHeaders(), packagesSnapshot()],
  server: { headers: crossOriginIsolationHeaders },
  markdown: {
    // Both code themes are rendered as CSS variables; global.css picks the one for the active theme.
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' }, defaultColor: false },
  },
  vite: {
    server: { headers: crossOriginIsolationHeaders },
    preview: { headers: crossOriginIsolationHeaders },
  },
});
