import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const backendPort = process.env.BACKEND_PORT ?? '3001';

/** A request target Vite can take: a path that `new URL()` reads (not `http://[/`, not `*`). */
function readableTarget(target: string | undefined): boolean {
  if (!target?.startsWith('/') || target.startsWith('//')) return false;
  try {
    new URL(target, 'http://localhost');
    return true;
  } catch {
    return false;
  }
}

/**
 * Answers 400 to a request whose target is not a plain path, before Vite sees it: Vite's router
 * parses every target, and one it cannot read (`GET http://[/ HTTP/1.1`) took the dev server down.
 */
function readableTargetsOnly(): Plugin {
  return {
    name: 'storefront:readable-targets-only',
    configureServer({ httpServer }) {
      if (!httpServer) return;
      const emit = httpServer.emit;
      httpServer.emit = function (this: typeof httpServer, event: string | symbol, ...args: unknown[]) {
        const req = args[0] as IncomingMessage;
        if (event === 'request' && !readableTarget(req.url)) {
          (args[1] as ServerResponse).writeHead(400, { 'Content-Type': 'text/plain', Connection: 'close' }).end('Bad request: not a path.\n');
          return true;
        }
        if (event === 'upgrade' && !readableTarget(req.url)) {
          (args[1] as Duplex).end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
          return true;
        }
        return emit.call(this, event, ...args);
      } as typeof httpServer.emit;
    },
  };
}

export default defineConfig({
  plugins: [react(), readableTargetsOnly()],
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
