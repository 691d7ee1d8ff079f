import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { badRequest } from '@brewops/platform';
import { findMenuItem } from './menu.js';

export const PlaceOrderBody = z.object({
  memberId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  items: z.array(z.object({
    sku: z.string().min(1).max(64),
    quantity: z.number().int().min(1).max(20),
  }).strict()).min(1).max(20),
}).strict();
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

/** How the member lookup went: the order service must accept orders even when member is down. */
export type MemberLookup =
  | { readonly kind: 'found'; readonly memberId: string; readonly discountPercent: number }
  | { readonly kind: 'guest' }
  | { readonly kind: 'unknown'; readonly memberId: string }
  | { readonly kind: 'unavailable'; readonly memberId: string; readonly cause: MemberUnavailableCause };

/**
 * Why member could not be checked: `call_failed` — the call was made and failed (no instance,
 * timeout, 5xx); `breaker_open` — no call was made, the order → member circuit breaker is open.
 */
export type MemberUnavailableCause = 'call_failed' | 'breaker_open';

export interface Order {
  readonly orderId: string;
  readonly memberId: string | null;
  readonly items: ReadonlyArray<{ sku: string; quantity: number; unitPriceCents: number }>;
  readonly subtotalCents: number;
  readonly discountPercent: number;
  readonly totalCents: number;
  /** Set when the member could not be checked and guest pricing was applied. */
  readonly pricingFallback: 'member_unknown' | 'member_unavailable' | null;
  /** With `member_unavailable`: whether the call failed or was skipped by the open breaker; null otherwise. */
  readonly pricingFallbackCause: MemberUnavailableCause | null;
  readonly status: OrderStatus;
  readonly placedAt: string;
  /** Why the saga cancelled it (`payment_declined`, `out_of_stock`); null otherwise. */
  readonly cancelReason?: string | null;
  readonly updatedAt?: string;
}

/** Order lifecycle as the order service owns it (the status service shows the finer steps). */
export type OrderStatus = 'placed' | 'completed' | 'cancelled';

/** Validates the request body; throws a 400 AppError naming the first invalid field. */
export function parsePlaceOrder(body: unknown): PlaceOrderBody {
  const parsed = PlaceOrderBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw badRequest('invalid_order', `invalid field "${field}": ${issue?.message ?? 'invalid'}`, { field });
  }
  for (const [i, item] of parsed.data.items.entries()) {
    if (!findMenuItem(item.sku)) throw badRequest('unknown_sku', `unknown sku "${item.sku}"`, { field: `items.${i}.sku` });
  }
  return parsed.data;
}

/** Prices an order; pure, so it is tested without HTTP. */
export function priceOrder(body: PlaceOrderBody, member: MemberLookup, now = new Date()): Order {
  const items = body.items.map((i) => ({ sku: i.sku, quantity: i.quantity, unitPriceCents: findMenuItem(i.sku)!.priceCents }));
  const subtotalCents = items.reduce((sum, i) => sum + i.quantity * i.unitPriceCents, 0);
  const discountPercent = member.kind === 'found' ? member.discountPercent : 0;
  return {
    orderId: randomUUID(),
    memberId: member.kind === 'guest' ? null : member.memberId,
    items,
    subtotalCents,
    discountPercent,
    totalCents: Math.round(subtotalCents * (100 - discountPercent) / 100),
    pricingFallback: member.kind === 'unknown' ? 'member_unknown' : member.kind === 'unavailable' ? 'member_unavailable' : null,
    pricingFallbackCause: member.kind === 'unavailable' ? member.cause : null,
    status: 'placed',
    placedAt: now.toISOString(),
  };
}
