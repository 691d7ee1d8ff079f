import { createEvent } from '@brewops/contracts';
import type { AnyDomainEvent, DomainEvent, EventType } from '@brewops/contracts';
import { currentCorrelationId, groupCommit } from '@brewops/platform';
import type { GroupCommit, OutboxStore, ProcessedMessages } from '@brewops/platform';
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
  /** The transactions, built once (inside a consumer's batch transaction they become savepoints). */
  private readonly placeOnce: (order: Order, idem: { key: string; hash: string } | undefined) => void;
  private readonly applyOnce: (event: AnyDomainEvent) => { result: ApplyResult; placedAt?: string };
  /**
   * Group commit for the saga consumer (`consume(..., { transaction: service.transaction })`):
   * runs `run` in one transaction of this service's database; each message's own transaction
   * becomes a savepoint inside it.
   */
  readonly transaction: (run: () => void) => void;
  private readonly commits: GroupCommit;

  constructor(
    private readonly repo: OrdersRepo,
    private readonly outbox: OutboxStore,
    private readonly processed: ProcessedMessages,
    private readonly metrics: OrderMetrics | undefined,
    private readonly onCommitted: () => void,
  ) {
    this.placeOnce = repo.db.transaction((order: Order, idem: { key: string; hash: string } | undefined) => {
      this.repo.insert(order);
      this.enqueue(orderPlaced(order));
      if (idem) this.repo.saveKey(idem.key, idem.hash, 201, order);
    });
    this.applyOnce = repo.db.transaction((event: AnyDomainEvent) => this.transition(event));
    this.commits = groupCommit(repo.db);
    this.transaction = (run) => this.commits.transaction(run);
  }

  /** Stores a new order and its `order.placed` event; with a key, a retry gets the same response. */
  place(order: Order, idem?: { key: string; hash: string }): { statusCode: number; body: unknown } {
    try {
      this.placeOnce(order, idem);
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
    const { result, placedAt } = this.applyOnce(event);
    if (result.kind === 'complete' || result.kind === 'cancel') {
      // counted once the batch is committed: a rolled-back batch is delivered again
      this.commits.afterCommit(() => {
        this.onCommitted();
        this.record(result, placedAt);
      });
    }
    return result;
  }

  private transition(event: AnyDomainEvent): { result: ApplyResult; placedAt?: string } {
    const orderId = event.payload.orderId;
    const order = this.repo.statusOf(orderId);
    if (!order) return { result: { kind: 'unknown_order' } }; // not claimed: a retry may find it
    if (!this.processed.claim(CONSUMER, event.messageId)) return { result: { kind: 'duplicate' } };
    const t = orderTransition(order.status, event);
    if (t.kind === 'ignore') return { result: t, placedAt: order.placedAt };
    const at = new Date().toISOString();
    this.repo.setStatus(orderId, t.status, t.kind === 'cancel' ? t.reason : null, at);
    if (t.kind === 'cancel') this.enqueue(createEvent('order.cancelled', { orderId, reason: t.reason }, { correlationId: currentCorrelationId() }));
    else this.enqueue(createEvent('order.completed', { orderId }, { correlationId: currentCorrelationId() }));
    return { result: t, placedAt: order.placedAt };
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
