import * as Sentry from '@sentry/node';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { CheckoutError, placeOrder } from './checkout.ts';
import { findProduct, listProducts } from './inventory.ts';

/** CORS on every response, errors included, so a browser always sees the real answer. */
const cors: RequestHandler = (req, res, next) => {
  res.set({
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Content-Type, sentry-trace, baggage',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  });
  if (req.method === 'OPTIONS') res.sendStatus(204);
  else next();
};

const sendError = (res: express.Response, status: number, code: string, message: string) => {
  res.status(status).json({ error: { code, message } });
};

export function createApp() {
  const app = express();
  app.use(cors);
  app.use(express.json());

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/products', async (req, res) => {
    // The product list takes seconds, as on a machine busy with other work.
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const inStockOnly = req.query.in_stock_only === 'true';
    res.json(listProducts({ inStockOnly }));
  });

  app.get('/products/:id', (req, res) => {
    const product = findProduct(req.params.id);
    if (product) res.json(product);
    else sendError(res, 404, 'unknown_product', `No product with id "${req.params.id}".`);
  });

  app.post('/checkout', (req, res) => {
    res.status(201).json(placeOrder(req.body));
  });

  app.use((req, res) => sendError(res, 404, 'not_found', `No route for ${req.method} ${req.path}.`));

  // Report server errors (5xx) to Sentry, then let our own handler answer the shopper.
  Sentry.setupExpressErrorHandler(app);

  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    if (error instanceof CheckoutError) return sendError(res, error.status, error.code, error.message);
    if (error?.type === 'entity.parse.failed') return sendError(res, 400, 'invalid_json', 'The request body is not valid JSON.');
    console.error(`${req.method} ${req.path} failed:`, error);
    sendError(res, 500, 'internal_error', 'Something went wrong on our side.');
  };
  app.use(onError);
  return app;
}
