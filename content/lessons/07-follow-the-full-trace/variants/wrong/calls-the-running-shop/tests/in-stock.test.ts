import { expect, test } from 'vitest';

test('in-stock products load', async () => {
  const response = await fetch('http://127.0.0.1:3001/products?in_stock_only=true');
  expect(response.status).toBe(200);
});
