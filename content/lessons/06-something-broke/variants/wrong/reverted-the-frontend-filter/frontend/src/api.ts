export interface Product {
  id: string;
  name: string;
  description: string;
  priceCents: number;
  image: string;
  stock: number;
}

export interface CartLine {
  product: Product;
  quantity: number;
}

export interface Order {
  id: string;
  items: { productId: string; name: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
}

/** An answer from the backend that was not a success, with the backend's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`/api${path}`, init);
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body?.error?.message ?? `The shop answered ${response.status}.`);
  return body as T;
}

export function getProducts(): Promise<Product[]> {
  // Rolled back: the in-stock filter broke the product list.
  return request<Product[]>('/products');
}

export function checkout(cart: CartLine[], customer: { name: string; email: string }): Promise<Order> {
  return request<Order>('/checkout', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: cart.map((line) => ({ productId: line.product.id, quantity: line.quantity })), customer }),
  });
}

export const formatPrice = (cents: number) => `$${(cents / 100).toFixed(2)}`;
