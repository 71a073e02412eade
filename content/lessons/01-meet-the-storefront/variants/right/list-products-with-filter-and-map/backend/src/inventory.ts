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
  return catalog
    .map((product) => ({ ...product, stock: unitsInStock(product.id) }))
    .filter((listing) => !inStockOnly || listing.stock > 0);
}

export function findProduct(productId: string): ProductListing | undefined {
  return listProducts().find((product) => product.id === productId);
}

/** Takes units off the shelf. Callers check availability first. */
export function takeFromStock(productId: string, quantity: number): void {
  stock.set(productId, unitsInStock(productId) - quantity);
}
