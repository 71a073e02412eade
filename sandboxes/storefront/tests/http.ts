import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../backend/src/app.ts';

/** The real Express app on an ephemeral port, for tests that talk HTTP to it. */
export async function startBackend(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const listening = createApp().listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
