import { expect, test } from 'vitest';
import { startBackend } from './http.ts';

test('products load', async () => {
  const backend = await startBackend();
  try {
    const response = await fetch(`${backend.url}/products`);
    expect(response.status).toBe(200);
  } finally {
    await backend.close();
  }
});
