import { z } from 'zod';
import { Id } from './envelope.js';

/** One priced line of an order. */
export const OrderLine = z.object({
  sku: Id,
  quantity: z.number().int().min(1).max(20),
  unitPriceCents: z.number().int().min(0),
}).strict();
export type OrderLine = z.infer<typeof OrderLine>;

const Cents = z.number().int().min(0);

/** Why an order was cancelled; also the label of the compensation metrics. */
export const CancelReason = z.enum(['payment_declined', 'out_of_stock']);
export type CancelReason = z.infer<typeof CancelReason>;

export const OrderPlaced = z.object({
  orderId: Id,
  memberId: Id.nullable(),
  items: z.array(OrderLine).min(1).max(20),
  totalCents: Cents,
  pricingFallback: z.enum(['member_unknown', 'member_unavailable']).nullable(),
  placedAt: z.iso.datetime({ offset: true }),
}).strict();

export const PaymentSucceeded = z.object({
  orderId: Id,
  paymentId: Id,
  amountCents: Cents,
  /** Carried on so the barista needs no call back to order. */
  items: z.array(OrderLine).min(1).max(20),
}).strict();

export const PaymentFailed = z.object({
  orderId: Id,
  amountCents: Cents,
  reason: z.enum(['limit_exceeded']),
}).strict();

export const PaymentRefunded = z.object({
  orderId: Id,
  paymentId: Id,
  amountCents: Cents,
  reason: CancelReason,
}).strict();

export const CoffeeReady = z.object({
  orderId: Id,
  brewMs: z.number().min(0),
}).strict();

export const CoffeeRejected = z.object({
  orderId: Id,
  reason: z.enum(['out_of_stock']),
  sku: Id,
}).strict();

export const OrderCompleted = z.object({
  orderId: Id,
}).strict();

export const OrderCancelled = z.object({
  orderId: Id,
  reason: CancelReason,
}).strict();

/**
 * Every domain event: type (= routing key on the topic exchange) → current version and payload
 * schema. A new incompatible payload gets a new version and both are accepted for a while.
 */
export const EVENTS = {
  'order.placed': { version: 1, payload: OrderPlaced },
  'order.completed': { version: 1, payload: OrderCompleted },
  'order.cancelled': { version: 1, payload: OrderCancelled },
  'payment.succeeded': { version: 1, payload: PaymentSucceeded },
  'payment.failed': { version: 1, payload: PaymentFailed },
  'payment.refunded': { version: 1, payload: PaymentRefunded },
  'coffee.ready': { version: 1, payload: CoffeeReady },
  'coffee.rejected': { version: 1, payload: CoffeeRejected },
} as const;

export type EventType = keyof typeof EVENTS;
export type PayloadOf<T extends EventType> = z.infer<(typeof EVENTS)[T]['payload']>;

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENTS, type);
}
