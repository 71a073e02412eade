// @vitest-environment happy-dom
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../frontend/src/App.tsx';

const products = [
  { id: 'trail-mug', name: 'Trail Mug', description: 'Mug', priceCents: 1800, image: '/images/trail-mug.svg', stock: 12 },
  { id: 'span-tee', name: 'Span Tee', description: 'Tee', priceCents: 2600, image: '/images/span-tee.svg', stock: 30 },
  { id: 'canvas-tote', name: 'Canvas Tote', description: 'Tote', priceCents: 2200, image: '/images/canvas-tote.svg', stock: 0 },
];

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** Answers the app's /api calls like the backend would; records what it was asked. */
function mockBackend(handlers: Record<string, (init?: RequestInit) => Response | Promise<Response>>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    // Matched by path: a query string (such as ?in_stock_only=true) does not change the stub.
    const path = String(input).split('?')[0];
    const handler = handlers[`${init?.method ?? 'GET'} ${path}`];
    if (!handler) throw new TypeError('Failed to fetch');
    return handler(init);
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('Products', () => {
  test('shows the products the API returns, with prices, and marks sold-out ones', async () => {
    mockBackend({ 'GET /api/products': () => json(200, products) });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Trail Mug' })).toBeTruthy();
    expect(screen.getByText('$18.00')).toBeTruthy();
    expect(screen.getByText('Sold out')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Add Canvas Tote to cart' })).toBeNull();
  });

  test('says so when the API fails, and retries on request', async () => {
    let calls = 0;
    mockBackend({ 'GET /api/products': () => (++calls === 1 ? json(500, { error: { code: 'internal_error', message: 'Something went wrong on our side.' } }) : json(200, products)) });
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("We couldn't load products");
    expect(alert.textContent).toContain('Something went wrong on our side.');
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Span Tee' })).toBeTruthy();
  });

  test('a network failure is shown too', async () => {
    mockBackend({});
    render(<App />);
    expect((await screen.findByRole('alert')).textContent).toContain('Failed to fetch');
  });
});

describe('Cart', () => {
  test('adds and removes items and keeps the count and total right', async () => {
    mockBackend({ 'GET /api/products': () => json(200, products) });
    render(<App />);
    fireEvent.click(await screen.findByRole('button', { name: 'Add Trail Mug to cart' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add Trail Mug to cart' }));
    fireEvent.click(screen.getByRole('button', { name: 'Add Span Tee to cart' }));
    expect(screen.getByRole('link', { name: 'Cart, 3 items' })).toBeTruthy();
    expect(screen.getByText('$62.00')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove one Trail Mug' }));
    expect(screen.getByRole('link', { name: 'Cart, 2 items' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Remove one Trail Mug' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove one Span Tee' }));
    expect(screen.getByText('Your cart is empty.')).toBeTruthy();
  });
});

describe('Checkout', () => {
  async function fillCartAndForm() {
    fireEvent.click(await screen.findByRole('button', { name: 'Add Trail Mug to cart' }));
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'Ada' } });
    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'ada@example.com' } });
  }

  test('submits the cart and shows the confirmation', async () => {
    const fetchMock = mockBackend({
      'GET /api/products': () => json(200, products),
      'POST /api/checkout': () => json(201, { id: 'ord_1234', items: [], totalCents: 1800 }),
    });
    render(<App />);
    await fillCartAndForm();
    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect((await screen.findByRole('status', {}, { timeout: 2000 })).textContent).toContain('ord_1234');
    const [, init] = fetchMock.mock.calls.find(([url]) => String(url) === '/api/checkout')!;
    expect(JSON.parse(String(init!.body))).toEqual({ items: [{ productId: 'trail-mug', quantity: 1 }], customer: { name: 'Ada', email: 'ada@example.com' } });
    await waitFor(() => expect(screen.getByText('Your cart is empty.')).toBeTruthy());
  });

  test("shows the backend's message when the order is refused, and keeps the cart", async () => {
    mockBackend({
      'GET /api/products': () => json(200, products),
      'POST /api/checkout': () => json(409, { error: { code: 'out_of_stock', message: 'Only 0 × Trail Mug left in stock.' } }),
    });
    render(<App />);
    await fillCartAndForm();
    fireEvent.click(screen.getByRole('button', { name: 'Place order' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Only 0 × Trail Mug left in stock.');
    expect(screen.getByRole('link', { name: 'Cart, 1 items' })).toBeTruthy();
  });
});
