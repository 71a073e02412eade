// The trace led to listProducts: ask it directly for the in-stock list, and check the sold-out
// products are not in it.
import { expect, test } from 'vitest';
import { listProducts, unitsInStock } from '../backend/src/inventory.ts';

test('the in-stock list leaves out sold-out products', () => {
  const ids = listProducts({ inStockOnly: true }).map((product) => product.id);
  expect(ids).not.toContain('canvas-tote');
  expect(ids).not.toContain('latency-socks');
  expect(ids.every((id) => unitsInStock(id) > 0)).toBe(true);
});
