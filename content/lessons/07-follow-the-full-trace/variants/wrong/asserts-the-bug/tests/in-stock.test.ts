import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('the in-stock filter crashes', async () => {
  const backend = await startBackend();
  try {
    const response = await fetch(`${backend.url}/products?in_stock_only=true`);
    expect(response.status).toBe(500);
  } finally {
    await backend.close();
  }
});
