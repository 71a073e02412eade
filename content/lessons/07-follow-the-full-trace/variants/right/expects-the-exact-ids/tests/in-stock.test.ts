import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('the in-stock list is exactly what is on the shelf', async () => {
  const backend = await startBackend();
  try {
    const response = await fetch(`${backend.url}/products?in_stock_only=true`);
    const products: { id: string }[] = await response.json();
    expect(products.map((product) => product.id)).toEqual(['trail-mug', 'span-tee', 'trace-cap', 'debug-notebook']);
  } finally {
    await backend.close();
  }
});
