import { catalog, type Product } from './catalog.ts';

export interface ProductListing extends Product {
  stock: number;
}

/** Units on the shelf, by product id. Checkout takes from here. */
const stock = new Map<string, number>([
  ['trail-mug', 400],
  ['span-tee', 900],
  ['canvas-tote', 0],
  ['trace-cap', 8],
  ['debug-notebook', 600],
  ['latency-socks', 0],
]);

export function unitsInStock(productId: string): number {
  return stock.get(productId) ?? 0;
}

export function listProducts({ inStockOnly = false } = {}): ProductListing[] {
  const productInventory = [...stock].filter(([, units]) => units > 0).map(([productId]) => productId);

  const products: ProductListing[] = [];
  for (const product of catalog) {
    if (inStockOnly && !productInventory.includes(product.id)) continue;
    products.push({ ...product, stock: unitsInStock(product.id) });
  }
  return products;
}

export function findProduct(productId: string): ProductListing | undefined {
  return listProducts().find((product) => product.id === productId);
}

/** Takes units off the shelf. Callers check availability first. */
export function takeFromStock(productId: string, quantity: number): void {
  stock.set(productId, unitsInStock(productId) - quantity);
}
