import { formatPrice, type Product } from '../api.ts';

interface Props {
  products: Product[] | null;
  error: string | null;
  onRetry: () => void;
  onAdd: (product: Product) => void;
}

export function Products({ products, error, onRetry, onAdd }: Props) {
  if (error) {
    return (
      <div className="notice error" role="alert">
        <p>We couldn't load products: {error}</p>
        <button type="button" onClick={onRetry}>Try again</button>
      </div>
    );
  }
  if (!products) return <p className="notice" role="status">Loading products…</p>;
  if (products.length === 0) return <p className="notice">No products to show right now.</p>;

  return (
    <ul className="product-grid">
      {products.map((product) => (
        <li key={product.id} className="product-card">
          <img src={product.image} alt="" width="160" height="160" />
          <h2>{product.name}</h2>
          <p className="description">{product.description}</p>
          <div className="product-footer">
            <span className="price">{formatPrice(product.priceCents)}</span>
            {product.stock > 0 ? (
              <button type="button" onClick={() => onAdd(product)} aria-label={`Add ${product.name} to cart`}>
                Add to cart
              </button>
            ) : (
              <span className="sold-out">Sold out</span>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
