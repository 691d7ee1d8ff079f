import type { AnyDomainEvent } from '@brewops/contracts';

/** The statuses the read model shows, and the event that leads to each. */
export type OrderStatusName = 'placed' | 'paid' | 'payment_declined' | 'ready' | 'rejected' | 'refunded' | 'completed' | 'cancelled';

const STATUS_BY_EVENT: Record<AnyDomainEvent['type'], OrderStatusName> = {
  'order.placed': 'placed',
  'payment.succeeded': 'paid',
  'payment.failed': 'payment_declined',
  'coffee.ready': 'ready',
  'coffee.rejected': 'rejected',
  'payment.refunded': 'refunded',
  'order.completed': 'completed',
  'order.cancelled': 'cancelled',
};

/**
 * How far along the saga a status is. Events may arrive out of order (different producers,
 * retries): the current status is the furthest one seen, so a late `paid` never hides `completed`.
 */
const RANK: Record<OrderStatusName, number> = {
  placed: 1, paid: 2, payment_declined: 2, ready: 3, rejected: 3, refunded: 4, completed: 5, cancelled: 5,
};

/**
 * Whether an order's story is over: completed, or cancelled with every compensation seen (a
 * coffee rejected after payment is also refunded, and the refund may come after the cancel). Pure.
 */
export function isFinished(history: ReadonlyArray<Pick<StatusChange, 'status' | 'detail'>>): boolean {
  if (history.some((h) => h.status === 'completed')) return true;
  const cancelled = history.find((h) => h.status === 'cancelled');
  if (!cancelled) return false;
  return cancelled.detail !== 'out_of_stock' || history.some((h) => h.status === 'refunded');
}

export function statusOf(event: AnyDomainEvent): OrderStatusName {
  return STATUS_BY_EVENT[event.type];
}

/** Whether `next` replaces `current` as the order's current status. Pure. */
export function supersedes(current: OrderStatusName | undefined, next: OrderStatusName): boolean {
  return current === undefined || RANK[next] > RANK[current];
}

/** One order as the status read model sees it, built only from events. */
export interface OrderStatus {
  readonly orderId: string;
  readonly status: OrderStatusName;
  readonly updatedAt: string;
  readonly history: ReadonlyArray<StatusChange>;
}

export interface StatusChange {
  readonly orderId: string;
  readonly status: OrderStatusName;
  readonly at: string;
  readonly eventId: string;
  readonly eventType: string;
  /** Extra facts shown to users: cancel reason, brew time. */
  readonly detail?: string;
}

export function changeOf(event: AnyDomainEvent): StatusChange {
  const detail = 'reason' in event.payload ? String(event.payload.reason)
    : event.type === 'coffee.ready' ? `${event.payload.brewMs.toFixed(1)}ms` : undefined;
  return {
    orderId: event.payload.orderId,
    status: statusOf(event),
    at: event.occurredAt,
    eventId: event.messageId,
    eventType: event.type,
    ...(detail !== undefined ? { detail } : {}),
  };
}
