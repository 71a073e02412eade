import { expect, test } from 'vitest';
import { startBackend } from './htpp.ts';

test('in-stock products load', async () => {
  const backend = await startBackend();
  const response = await fetch(`${backend.url}/products?in_stock_only=true`);
  expect(response.status).toBe(200);
  await backend.close();
});
