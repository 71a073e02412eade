import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('in-stock products load', async () => {
  const backend = await startBackend();
  try {
    const response = await fetch(`${backend.url}/products?in_stock_only=true`);
    expect(response.status).toBe(200);
    // Six products in the catalogue.
    expect(await response.json()).toHaveLength(6);
  } finally {
    await backend.close();
  }
});
