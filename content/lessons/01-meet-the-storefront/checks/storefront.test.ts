import { expect, test } from 'vitest';
import { backendUpToDate } from './running-shop.ts';

test('the shop answers /api/products through the frontend, as the browser asks for it', async () => {
  await backendUpToDate();
  const response = await fetch('http://127.0.0.1:5173/api/products').catch(() => null);
  expect(response, 'Nothing answers on port 5173. Is `npm run dev` running? Shop output shows its output.').not.toBeNull();
  expect(response!.status, 'GET /api/products should answer 200; Shop output shows what the backend said.').toBe(200);
  const products = await response!.json();
  expect(Array.isArray(products) ? products.length : 0, 'GET /api/products should answer a list of products.').toBeGreaterThan(0);
});
