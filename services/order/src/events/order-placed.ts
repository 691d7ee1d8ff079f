import { createEvent } from '@brewops/contracts';
import type { DomainEvent } from '@brewops/contracts';
import { currentCorrelationId } from '@brewops/platform';
import type { Order } from '../handlers/place-order.js';

export const ORDER_PLACED = 'order.placed';

/** The `order.placed` event for a new order, validated against its contract. */
export function orderPlaced(order: Order): DomainEvent<'order.placed'> {
  return createEvent('order.placed', {
    orderId: order.orderId,
    memberId: order.memberId,
    totalCents: order.totalCents,
    items: order.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPriceCents: i.unitPriceCents })),
    pricingFallback: order.pricingFallback,
    placedAt: order.placedAt,
  }, { correlationId: currentCorrelationId() });
}
