import type { AnyDomainEvent, CancelReason } from '@brewops/contracts';
import type { OrderStatus } from './place-order.js';

/** What an event does to an order: its new status and the event order publishes about it. */
export type OrderTransition =
  | { readonly kind: 'complete'; readonly status: 'completed' }
  | { readonly kind: 'cancel'; readonly status: 'cancelled'; readonly reason: CancelReason }
  | { readonly kind: 'ignore'; readonly why: string };

/**
 * The order's part of the choreography: payment declined or coffee rejected → cancel (the
 * compensation; payment refunds on its own for a rejected coffee), coffee ready → complete.
 * Only a placed order moves; events for finished orders (late duplicates) change nothing.
 */
export function orderTransition(current: OrderStatus, event: AnyDomainEvent): OrderTransition {
  if (current !== 'placed') return { kind: 'ignore', why: `order already ${current}` };
  switch (event.type) {
    case 'payment.failed':
      return { kind: 'cancel', status: 'cancelled', reason: 'payment_declined' };
    case 'coffee.rejected':
      return { kind: 'cancel', status: 'cancelled', reason: 'out_of_stock' };
    case 'coffee.ready':
      return { kind: 'complete', status: 'completed' };
    default:
      return { kind: 'ignore', why: `${event.type} does not move an order` };
  }
}
