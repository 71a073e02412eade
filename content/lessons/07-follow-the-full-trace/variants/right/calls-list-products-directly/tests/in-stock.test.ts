import { expect, test } from 'vitest';
import { listProducts } from '../backend/src/inventory.ts';

test('listProducts lists what is in stock', () => {
  expect(() => listProducts({ inStockOnly: true })).not.toThrow();
  expect(listProducts({ inStockOnly: true }).every((product) => product.stock > 0)).toBe(true);
});
