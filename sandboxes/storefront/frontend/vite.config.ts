import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const backendPort = process.env.BACKEND_PORT ?? '3001';

export default defineConfig({
  plugins: [react()],
  server: {
    port: Number(process.env.FRONTEND_PORT ?? 5173),
    strictPort: true,
    host: '127.0.0.1',
    // The shop's pages load from their own origin (Vite here, the preview elsewhere): no other page,
    // not even one on another localhost port, may read what Vite serves.
    cors: false,
    proxy: {
      // The browser calls /api/products; the backend serves /products.
      '/api': {
        target: `http://127.0.0.1:${backendPort}`,
        rewrite: (path) => path.replace(/^\/api/, ''),
      },
      // The browser SDK's `tunnel`: envelopes reach the collector through the shop's own origin,
      // addressed to the collector by its own name (it answers no other Host).
      '/tunnel': { target: `http://127.0.0.1:${process.env.COLLECTOR_PORT ?? '8969'}`, changeOrigin: true },
    },
  },
});
