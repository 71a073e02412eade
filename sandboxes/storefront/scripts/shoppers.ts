// `npm run shoppers -- --rate 30`: plays shoppers against the running shop, so dashboards have a
// curve, and restarts when the frontend code it uses changes. Each one loads the products, puts a few in the cart and checks out, through the same
// frontend/src/api.ts the React app uses (and the same Vite proxy), inside a "Submit Checkout Form"
// span that carries `items_at_checkout` and continues into the backend.
import * as Sentry from '@sentry/node';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '30' },
    count: { type: 'string' },
    shop: { type: 'string', default: 'http://127.0.0.1:5173' },
  },
});
const perMinute = Number(values.rate);
const count = values.count === undefined ? Infinity : Number(values.count);
if (!(perMinute > 0 && perMinute <= 600) || !(count > 0)) {
  console.error('Usage: npm run shoppers -- [--rate <shoppers per minute, 1-600>] [--count <shoppers, then stop>]');
  process.exit(2);
}

Sentry.init({
  dsn: 'http://public@localhost:8969/1',
  tracesSampleRate: 1.0,
  serverName: 'shopper-simulator',
  environment: 'simulated-shoppers',
});

// api.ts calls relative URLs (`/api/products`) as a page would; resolve them against the shop.
const fetchFromNode = globalThis.fetch;
globalThis.fetch = (input, init) => fetchFromNode(new URL(String(input), values.shop), init);
const { checkout, getProducts } = await import('../frontend/src/api.ts');

const names = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances'];
const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

async function shop(n: number): Promise<string> {
  return Sentry.startNewTrace(() =>
    Sentry.startSpan({ name: 'Shopper visit', op: 'simulator.visit', attributes: { 'shopper.simulated': true } }, async () => {
      let products: Awaited<ReturnType<typeof getProducts>> = [];
      try {
        products = await getProducts();
      } catch (error) {
        Sentry.captureException(error);
      }
      // A shopper who finds nothing to buy still presses "Place order": the checkout sees 0 items.
      const cart = products
        .filter((product) => product.stock > 0)
        .sort(() => Math.random() - 0.5)
        .slice(0, 1 + Math.floor(Math.random() * 3))
        .map((product) => ({ product, quantity: 1 + Math.floor(Math.random() * 2) }));
      const items = cart.reduce((sum, line) => sum + line.quantity, 0);
      return Sentry.startSpan({ name: 'Submit Checkout Form', op: 'ui.action' }, async (span) => {
        span.setAttribute('items_at_checkout', items);
        const name = pick(names);
        try {
          const order = await checkout(cart, { name, email: `${name.toLowerCase()}@example.com` });
          return `shopper ${n}: ordered ${items} item${items === 1 ? '' : 's'} (${order.id})`;
        } catch (error) {
          span.setStatus({ code: 2, message: 'internal_error' });
          return `shopper ${n}: checkout failed with ${items} items: ${(error as Error).message}`;
        }
      });
    }),
  );
}

console.log(`Shoppers: ${perMinute} a minute${Number.isFinite(count) ? `, ${count} in all` : ''}, against ${values.shop}. Ctrl-C stops them.`);
let started = 0;
const visits: Promise<void>[] = [];
const timer = setInterval(() => {
  if (started >= count) return;
  const n = ++started;
  visits.push(shop(n).then(console.log, (error) => console.error(`shopper ${n}:`, error)));
  if (started >= count) {
    clearInterval(timer);
    void Promise.all(visits).then(() => Sentry.flush(5000)).then(() => process.exit(0));
  }
}, 60_000 / perMinute);

const stop = () => {
  clearInterval(timer);
  void Sentry.flush(2000).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
