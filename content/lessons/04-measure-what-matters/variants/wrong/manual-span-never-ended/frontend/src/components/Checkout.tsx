import * as Sentry from '@sentry/react';
import { useState, type FormEvent } from 'react';
import { checkout, formatPrice, type CartLine, type Order } from '../api.ts';

interface Props {
  cart: CartLine[];
  onOrdered: (order: Order) => void;
}

export function Checkout({ cart, onOrdered }: Props) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [order, setOrder] = useState<Order | null>(null);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    await Sentry.startSpanManual({ name: 'Submit Checkout Form', op: 'ui.action' }, async (span) => {
      const itemsInCart = cart.reduce((sum, line) => sum + line.quantity, 0);
      span.setAttribute('items_at_checkout', itemsInCart);
      try {
        const placed = await checkout(cart, { name, email });
        setOrder(placed);
        onOrdered(placed);
      } catch (caught) {
        Sentry.captureException(caught);
        setError(caught instanceof Error ? caught.message : String(caught));
      } finally {
        setSubmitting(false);
      }
    });
  }

  return (
    <section className="panel" aria-labelledby="checkout-heading">
      <h2 id="checkout-heading">Checkout</h2>
      {order && (
        <p className="notice success" role="status">
          Thank you! Order <strong>{order.id}</strong> is confirmed: {formatPrice(order.totalCents)}.
        </p>
      )}
      <form onSubmit={handleSubmit}>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
        </label>
        <label>
          Email
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
        </label>
        {error && (
          <p className="notice error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={submitting}>
          {submitting ? 'Placing order…' : 'Place order'}
        </button>
      </form>
    </section>
  );
}
