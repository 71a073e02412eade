// Reproduces the checkout outage seen in the trace, at its source: listProducts({ inStockOnly: true })
// threw "TypeError: Cannot read properties of null (reading 'includes')".
import { expect, test } from 'vitest';
import { listProducts, unitsInStock } from '../backend/src/inventory.ts';

test('the in-stock list holds exactly the products on the shelf', () => {
  const inStock = listProducts({ inStockOnly: true }).map((product) => product.id);
  const onTheShelf = listProducts()
    .filter((product) => unitsInStock(product.id) > 0)
    .map((product) => product.id);
  expect(inStock).toEqual(onTheShelf);
});
