import { formatPrice, type CartLine, type Product } from '../api.ts';

interface Props {
  lines: CartLine[];
  onAdd: (product: Product) => void;
  onRemove: (productId: string) => void;
}

export function Cart({ lines, onAdd, onRemove }: Props) {
  const total = lines.reduce((sum, line) => sum + line.quantity * line.product.priceCents, 0);
  return (
    <section id="cart" className="panel" aria-labelledby="cart-heading">
      <h2 id="cart-heading">Your cart</h2>
      {lines.length === 0 ? (
        <p className="muted">Your cart is empty.</p>
      ) : (
        <>
          <ul className="cart-lines">
            {lines.map(({ product, quantity }) => (
              <li key={product.id}>
                <span className="line-name">{product.name}</span>
                <span className="stepper">
                  <button type="button" onClick={() => onRemove(product.id)} aria-label={`Remove one ${product.name}`}>−</button>
                  <span>
                    {quantity}
                    <span className="visually-hidden"> in cart</span>
                  </span>
                  <button type="button" onClick={() => onAdd(product)} aria-label={`Add one more ${product.name}`}>+</button>
                </span>
                <span className="line-price">{formatPrice(quantity * product.priceCents)}</span>
              </li>
            ))}
          </ul>
          <p className="cart-total">
            Total <strong>{formatPrice(total)}</strong>
          </p>
        </>
      )}
    </section>
  );
}
