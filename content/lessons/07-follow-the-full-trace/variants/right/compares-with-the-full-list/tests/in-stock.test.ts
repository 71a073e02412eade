// The in-stock list must be the full list without what has sold out: ask the backend for both.
import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

type Listing = { id: string; stock: number };

test('?in_stock_only=true is the full list minus the sold-out products', async () => {
  const backend = await startBackend();
  try {
    const all: Listing[] = await (await fetch(`${backend.url}/products`)).json();
    const inStock = await fetch(`${backend.url}/products?in_stock_only=true`);
    expect(inStock.status).toBe(200);
    expect(await inStock.json()).toEqual(all.filter((product) => product.stock > 0));
  } finally {
    await backend.close();
  }
});
