// Reproduces the checkout outage seen in the trace: GET /products?in_stock_only=true answered 500
// with "TypeError: Cannot read properties of null (reading 'includes')" from listProducts.
import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('in-stock products load, with only what is on the shelf', async () => {
  const backend = await startBackend();
  try {
    const response = await fetch(`${backend.url}/products?in_stock_only=true`);
    expect(response.status).toBe(200);
    const products: { stock: number }[] = await response.json();
    expect(products.length).toBeGreaterThan(0);
    expect(products.every((product) => product.stock > 0)).toBe(true);
  } finally {
    await backend.close();
  }
});

test('sold-out products stay out of the in-stock list', async () => {
  const backend = await startBackend();
  try {
    const products: { id: string }[] = await (await fetch(`${backend.url}/products?in_stock_only=true`)).json();
    expect(products.map((product) => product.id)).not.toContain('canvas-tote');
  } finally {
    await backend.close();
  }
});
