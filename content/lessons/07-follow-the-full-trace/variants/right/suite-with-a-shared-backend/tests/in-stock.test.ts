import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from './http.ts';

describe('GET /products', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  beforeAll(async () => {
    backend = await startBackend();
  });
  afterAll(async () => {
    await backend.close();
  });

  it('lists the whole catalogue', async () => {
    const response = await fetch(`${backend.url}/products`);
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(6);
  });

  it('lists only products in stock with ?in_stock_only=true', async () => {
    const response = await fetch(`${backend.url}/products?in_stock_only=true`);
    expect(response.status).toBe(200);
    const products: { stock: number }[] = await response.json();
    expect(products).not.toHaveLength(0);
    for (const product of products) expect(product.stock).toBeGreaterThan(0);
  });
});
