import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

let backend: { url: string; close: () => Promise<void> };

// Stock is module state: every test gets a fresh app with a fresh inventory.
beforeEach(async () => {
  vi.resetModules();
  const { startBackend } = await import('./http.ts');
  backend = await startBackend();
});
afterEach(() => backend.close());

const get = (path: string) => fetch(backend.url + path);
const checkout = (body: unknown) =>
  fetch(`${backend.url}/checkout`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const customer = { name: 'Ada', email: 'ada@example.com' };

describe('GET /products', () => {
  test('lists the whole catalogue with prices, images and stock', async () => {
    const response = await get('/products');
    expect(response.status).toBe(200);
    const products = await response.json();
    expect(products.length).toBe(6);
    for (const product of products) {
      expect(product).toMatchObject({ id: expect.any(String), name: expect.any(String), priceCents: expect.any(Number), image: expect.stringMatching(/^\/images\//) });
      expect(product.stock).toBeGreaterThanOrEqual(0);
    }
  });

  test('?in_stock_only=true leaves out sold-out products', async () => {
    const all = await (await get('/products')).json();
    const inStock = await (await get('/products?in_stock_only=true')).json();
    expect(inStock.length).toBeGreaterThan(0);
    expect(inStock.length).toBeLessThan(all.length);
    expect(inStock.every((p: { stock: number }) => p.stock > 0)).toBe(true);
    expect(all.filter((p: { stock: number }) => p.stock > 0).map((p: { id: string }) => p.id)).toEqual(inStock.map((p: { id: string }) => p.id));
  });

  test('GET /products/:id answers one product, or a JSON 404', async () => {
    expect((await (await get('/products/trail-mug')).json()).name).toBe('Trail Mug');
    const missing = await get('/products/unicorn');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('unknown_product');
  });
});

describe('POST /checkout', () => {
  test('places an order, totals it, and takes the units from stock', async () => {
    const response = await checkout({ items: [{ productId: 'trail-mug', quantity: 2 }, { productId: 'span-tee', quantity: 1 }], customer });
    expect(response.status).toBe(201);
    const order = await response.json();
    expect(order.id).toMatch(/^ord_/);
    expect(order.totalCents).toBe(2 * 1800 + 2600);
    expect((await (await get('/products/trail-mug')).json()).stock).toBe(398);
  });

  test.each([
    ['an empty cart', { items: [], customer }, 400, 'empty_cart'],
    ['no items at all', { customer }, 400, 'empty_cart'],
    ['a missing name', { items: [{ productId: 'trail-mug', quantity: 1 }], customer: { email: 'a@b.co' } }, 400, 'missing_name'],
    ['a bad email', { items: [{ productId: 'trail-mug', quantity: 1 }], customer: { name: 'Ada', email: 'nope' } }, 400, 'invalid_email'],
    ['an unknown product', { items: [{ productId: 'unicorn', quantity: 1 }], customer }, 404, 'unknown_product'],
    ['a zero quantity', { items: [{ productId: 'trail-mug', quantity: 0 }], customer }, 400, 'invalid_quantity'],
    ['a fractional quantity', { items: [{ productId: 'trail-mug', quantity: 1.5 }], customer }, 400, 'invalid_quantity'],
    ['a sold-out product', { items: [{ productId: 'canvas-tote', quantity: 1 }], customer }, 409, 'out_of_stock'],
    ['more than is in stock', { items: [{ productId: 'trace-cap', quantity: 9 }], customer }, 409, 'out_of_stock'],
  ])('refuses %s with a clear JSON error', async (_case, body, status, code) => {
    const response = await checkout(body);
    expect(response.status).toBe(status);
    const { error } = await response.json();
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(5);
  });

  test('a refused order takes nothing from stock', async () => {
    await checkout({ items: [{ productId: 'trail-mug', quantity: 1 }, { productId: 'canvas-tote', quantity: 1 }], customer });
    expect((await (await get('/products/trail-mug')).json()).stock).toBe(400);
  });

  test('a body that is not JSON gets a 400, not a crash', async () => {
    const response = await fetch(`${backend.url}/checkout`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{oops' });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('invalid_json');
  });
});

describe('errors keep CORS', () => {
  test('a 404 still carries Access-Control-Allow-Origin', async () => {
    const response = await get('/nowhere');
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('a preflight allows the trace headers the SDK will send', async () => {
    const response = await fetch(`${backend.url}/products`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/sentry-trace/);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/baggage/);
  });
});
