import { makeEvent } from '@brewops/platform';
import type { EventEnvelope } from '@brewops/platform';
import type { Order } from '../handlers/place-order.js';

export const ORDER_PLACED = 'order.placed';

export interface OrderPlacedPayload {
  readonly orderId: string;
  readonly memberId: string | null;
  readonly totalCents: number;
  readonly items: Order['items'];
  readonly pricingFallback: Order['pricingFallback'];
}

export function orderPlaced(order: Order): EventEnvelope<OrderPlacedPayload> {
  return makeEvent(ORDER_PLACED, 1, {
    orderId: order.orderId,
    memberId: order.memberId,
    totalCents: order.totalCents,
    items: order.items,
    pricingFallback: order.pricingFallback,
  });
}
