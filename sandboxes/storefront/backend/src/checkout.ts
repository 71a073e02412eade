import { randomUUID } from 'node:crypto';
import { findProduct, takeFromStock, unitsInStock } from './inventory.ts';

export interface CartItem {
  productId: string;
  quantity: number;
}

export interface Order {
  id: string;
  customer: { name: string; email: string };
  items: { productId: string; name: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
  createdAt: string;
}

/** A checkout the shop refuses, with the HTTP status and a message the shopper can act on. */
export class CheckoutError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_QUANTITY = 99;

export function placeOrder(body: unknown): Order {
  const { items, customer } = (body ?? {}) as { items?: unknown; customer?: { name?: unknown; email?: unknown } };
  if (!Array.isArray(items) || items.length === 0) {
    throw new CheckoutError(400, 'empty_cart', 'Your cart is empty.');
  }
  const name = typeof customer?.name === 'string' ? customer.name.trim() : '';
  const email = typeof customer?.email === 'string' ? customer.email.trim() : '';
  if (!name) throw new CheckoutError(400, 'missing_name', 'Please tell us your name.');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new CheckoutError(400, 'invalid_email', 'Please give a valid email address.');

  const lines: Order['items'] = [];
  for (const item of items as Partial<CartItem>[]) {
    const product = typeof item?.productId === 'string' ? findProduct(item.productId) : undefined;
    if (!product) throw new CheckoutError(404, 'unknown_product', `We don't sell a product called "${String(item?.productId)}".`);
    const quantity = item.quantity;
    if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw new CheckoutError(400, 'invalid_quantity', `Quantity for ${product.name} must be a whole number from 1 to ${MAX_QUANTITY}.`);
    }
    if (quantity > unitsInStock(product.id)) {
      throw new CheckoutError(409, 'out_of_stock', `Only ${unitsInStock(product.id)} × ${product.name} left in stock.`);
    }
    lines.push({ productId: product.id, name: product.name, quantity, unitPriceCents: product.priceCents });
  }

  for (const line of lines) takeFromStock(line.productId, line.quantity);
  return {
    id: `ord_${randomUUID().slice(0, 8)}`,
    customer: { name, email },
    items: lines,
    totalCents: lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
    createdAt: new Date().toISOString(),
  };
}
