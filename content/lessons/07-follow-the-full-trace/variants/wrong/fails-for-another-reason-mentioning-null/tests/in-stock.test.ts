import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('in-stock products load', async () => {
  const backend = await startBackend();
  try {
    const response = await fetch(`${backend.url}/product?in_stock_only=true`);
    expect(response.status, 'the null inventory breaks the in-stock list').toBe(200);
  } finally {
    await backend.close();
  }
});
