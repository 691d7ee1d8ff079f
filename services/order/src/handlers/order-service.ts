import { createEvent } from '@brewops/contracts';
import type { AnyDomainEvent, DomainEvent, EventType } from '@brewops/contracts';
import { currentCorrelationId } from '@brewops/platform';
import type { OutboxStore, ProcessedMessages } from '@brewops/platform';
import type { OrdersRepo } from '../db/orders-repo.js';
import type { OrderMetrics } from '../metrics.js';
import { orderPlaced } from '../events/order-placed.js';
import type { Order } from './place-order.js';
import { orderTransition } from './saga.js';
import type { OrderTransition } from './saga.js';
import { replay, type StoredResponse } from './idempotency.js';

export const CONSUMER = 'order.saga';

export type ApplyResult = OrderTransition | { readonly kind: 'duplicate' } | { readonly kind: 'unknown_order' };

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code?.startsWith('SQLITE_CONSTRAINT') === true;
}

/**
 * The order service's state changes, each one SQLite transaction: the order (and the response
 * under its Idempotency-Key) with its outbox row; an incoming event's effect with its
 * processed-message record and outbox row. `onCommitted` wakes the outbox relay.
 */
export class OrderService {
  constructor(
    private readonly repo: OrdersRepo,
    private readonly outbox: OutboxStore,
    private readonly processed: ProcessedMessages,
    private readonly metrics: OrderMetrics | undefined,
    private readonly onCommitted: () => void,
  ) {}

  /** Stores a new order and its `order.placed` event; with a key, a retry gets the same response. */
  place(order: Order, idem?: { key: string; hash: string }): { statusCode: number; body: unknown } {
    const event = orderPlaced(order);
    const write = this.repo.db.transaction(() => {
      this.repo.insert(order);
      this.enqueue(event);
      if (idem) this.repo.saveKey(idem.key, idem.hash, 201, order);
    });
    try {
      write();
    } catch (err) {
      // a concurrent request with the same key committed first: answer as it did
      const stored = idem && isUniqueViolation(err) ? this.repo.findKey(idem.key) : undefined;
      if (stored) return replay(stored, idem!.hash);
      throw err;
    }
    this.onCommitted();
    this.metrics?.placed.inc({ pricing: order.pricingFallback ?? (order.memberId ? 'member' : 'guest') });
    return { statusCode: 201, body: order };
  }

  storedResponse(key: string): StoredResponse | undefined {
    return this.repo.findKey(key);
  }

  /** Applies a saga event at most once; returns what it did (`duplicate` for a redelivery). */
  apply(event: AnyDomainEvent): ApplyResult {
    const orderId = event.payload.orderId;
    let result: ApplyResult = { kind: 'duplicate' };
    let placedAt: string | undefined;
    this.repo.db.transaction(() => {
      const order = this.repo.get(orderId);
      if (!order) {
        result = { kind: 'unknown_order' }; // not claimed: a retry may find it
        return;
      }
      if (!this.processed.claim(CONSUMER, event.messageId)) return;
      placedAt = order.placedAt;
      const t = orderTransition(order.status, event);
      result = t;
      if (t.kind === 'ignore') return;
      const at = new Date().toISOString();
      this.repo.setStatus(orderId, t.status, t.kind === 'cancel' ? t.reason : null, at);
      if (t.kind === 'cancel') this.enqueue(createEvent('order.cancelled', { orderId, reason: t.reason }, { correlationId: currentCorrelationId() }));
      else this.enqueue(createEvent('order.completed', { orderId }, { correlationId: currentCorrelationId() }));
    })();
    const done = result as ApplyResult;
    if (done.kind === 'complete' || done.kind === 'cancel') {
      this.onCommitted();
      this.record(done, placedAt);
    }
    return done;
  }

  private record(t: OrderTransition, placedAt: string | undefined): void {
    if (!this.metrics) return;
    const seconds = placedAt ? Math.max(0, (Date.now() - Date.parse(placedAt)) / 1000) : undefined;
    if (t.kind === 'complete') {
      this.metrics.completed.inc();
      if (seconds !== undefined) this.metrics.latency.observe({ outcome: 'completed' }, seconds);
    } else if (t.kind === 'cancel') {
      this.metrics.cancelled.inc({ reason: t.reason });
      this.metrics.compensations.inc({ reason: t.reason, action: 'cancel_order' });
      if (seconds !== undefined) this.metrics.latency.observe({ outcome: 'cancelled' }, seconds);
    }
  }

  private enqueue<T extends EventType>(event: DomainEvent<T>): void {
    this.outbox.add({ messageId: event.messageId, routingKey: event.type, body: event, correlationId: event.correlationId });
  }
}
