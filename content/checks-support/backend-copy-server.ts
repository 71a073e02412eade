// Entry point of the backend copy (see backend-copy.ts): the learner's app, as server.ts serves it.
import * as Sentry from '@sentry/node';
import type { AddressInfo } from 'node:net';
import { createApp } from '../backend/src/app.ts';
import { catalog } from '../backend/src/catalog.ts';

// Listing a product that is null throws a TypeError in listProducts, as a real bug would.
if (process.env.COURSE_UNREADABLE_PRODUCT) catalog.push(null as never);

const client = Sentry.getClient();
const options = client?.getOptions();
const sdk = {
  initialised: Boolean(client),
  tracing: (typeof options?.tracesSampleRate === 'number' && options.tracesSampleRate > 0) || typeof options?.tracesSampler === 'function',
  dsn: options?.dsn,
  // `enabled: false` (say, only in production) sends nothing at all.
  enabled: options?.enabled !== false,
};
process.stdin.on('end', () => process.exit(0)).resume();

const server = createApp().listen(0, '127.0.0.1', () => {
  console.log(`course-backend-copy ${JSON.stringify({ port: (server.address() as AddressInfo).port, sdk })}`);
});
