import * as Sentry from '@sentry/react';
import type { CartLine } from './api.ts';

/** Items in the cart, the number a shopper would say: quantities, not lines. */
export const itemCount = (cart: CartLine[]) => cart.reduce((sum, line) => sum + line.quantity, 0);

/** Runs a checkout in the "Submit Checkout Form" span, with the cart's size on it, until the checkout is done. */
export function traceCheckout<T>(cart: CartLine[], work: () => Promise<T>): Promise<T> {
  return Sentry.startSpan({ name: 'Submit Checkout Form', op: 'ui.action' }, (span) => {
    span.setAttribute('items_at_checkout', itemCount(cart));
    return work();
  });
}
