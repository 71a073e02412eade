import { Router } from 'express';
import { findProduct, listProducts } from '../inventory.ts';

/** The catalogue's routes, mounted at /products by app.ts. */
export const productsRouter = Router();

productsRouter.get('/', (req, res) => {
  const inStockOnly = req.query.in_stock_only === 'true';
  res.json(listProducts({ inStockOnly }));
});

productsRouter.get('/:id', (req, res) => {
  const product = findProduct(req.params.id);
  if (product) res.json(product);
  else res.status(404).json({ error: { code: 'unknown_product', message: `No product with id "${req.params.id}".` } });
});
