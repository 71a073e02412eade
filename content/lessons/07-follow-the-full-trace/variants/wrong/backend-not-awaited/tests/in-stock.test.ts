import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('in-stock products load', async () => {
  const backend = startBackend();
  const response = await fetch(`${backend.url}/products?in_stock_only=true`);
  expect(response.status).toBe(200);
});
