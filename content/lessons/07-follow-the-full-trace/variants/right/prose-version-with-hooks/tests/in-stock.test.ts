import { afterEach, beforeEach, expect, test } from 'vitest';
import { startBackend } from './http.ts';

let backend: Awaited<ReturnType<typeof startBackend>>;
beforeEach(async () => {
  backend = await startBackend();
});
afterEach(() => backend.close());

test('GET /products?in_stock_only=true lists only products in stock', async () => {
  const response = await fetch(`${backend.url}/products?in_stock_only=true`);
  expect(response.status).toBe(200);
  const products = await response.json();
  expect(Array.isArray(products)).toBe(true);
  expect(products.every((product: { stock: number }) => product.stock > 0)).toBe(true);
});
