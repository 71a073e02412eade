import * as Sentry from '@sentry/react';
import { useCallback, useEffect, useState } from 'react';
import { getProducts, type CartLine, type Product } from './api.ts';
import { Cart } from './components/Cart.tsx';
import { Checkout } from './components/Checkout.tsx';
import { Products } from './components/Products.tsx';

export function App() {
  const [products, setProducts] = useState<Product[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [cart, setCart] = useState<CartLine[]>([]);

  const loadProducts = useCallback(() => {
    setLoadError(null);
    getProducts()
      .then(setProducts)
      .catch((error: Error) => {
        Sentry.captureException(error);
        setLoadError(error.message);
      });
  }, []);

  useEffect(loadProducts, [loadProducts]);

  const addToCart = (product: Product) =>
    setCart((lines) => {
      const line = lines.find((l) => l.product.id === product.id);
      if (!line) return [...lines, { product, quantity: 1 }];
      return lines.map((l) => (l === line ? { ...l, quantity: l.quantity + 1 } : l));
    });

  const removeFromCart = (productId: string) =>
    setCart((lines) => lines.flatMap((l) => (l.product.id !== productId ? [l] : l.quantity > 1 ? [{ ...l, quantity: l.quantity - 1 }] : [])));

  const itemCount = cart.reduce((sum, line) => sum + line.quantity, 0);

  return (
    <div className="shop">
      <header className="shop-header">
        <div className="logo">
          Trace <span>&amp;</span> Co.
          <small>Outfitters</small>
        </div>
        <a className="cart-link" href="#cart" aria-label={`Cart, ${itemCount} items`}>
          Cart <span className="cart-count">{itemCount}</span>
        </a>
      </header>
      <main className="shop-main">
        <section aria-labelledby="products-heading">
          <h1 id="products-heading">Gear for people who read traces</h1>
          <Products products={products} error={loadError} onRetry={loadProducts} onAdd={addToCart} />
        </section>
        <aside className="sidebar">
          <Cart lines={cart} onRemove={removeFromCart} onAdd={addToCart} />
          <Checkout cart={cart} onOrdered={() => setCart([])} />
        </aside>
      </main>
    </div>
  );
}
