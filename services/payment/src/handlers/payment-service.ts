import { randomUUID } from 'node:crypto';
import { createEvent } from '@brewops/contracts';
import type { AnyDomainEvent, DomainEvent, EventType } from '@brewops/contracts';
import { currentCorrelationId, groupCommit } from '@brewops/platform';
import type { GroupCommit, OutboxStore, ProcessedMessages } from '@brewops/platform';
import type { PaymentsRepo } from '../db/payments-repo.js';
import type { PaymentMetrics } from '../metrics.js';
import { decideCharge, decideRefund } from './decide.js';

export const CONSUMER = 'payment.saga';

export type PaymentOutcome = 'charged' | 'declined' | 'refunded' | 'nothing_to_refund' | 'duplicate' | 'ignored';

/** Thrown when a message cannot be applied yet (e.g. a refund before its charge): it is retried. */
export class NotYetError extends Error {}

/**
 * Payment's part of the saga, each message one transaction with its processed-message record
 * and outbox row: order.placed → charge or decline; coffee.rejected → refund (compensation).
 */
export class PaymentService {
  /** One transaction per message (a savepoint inside a consumer's batch transaction); built once. */
  private readonly applyOnce: (event: AnyDomainEvent) => PaymentOutcome;
  /**
   * Group commit for the saga consumer (`consume(..., { transaction: service.transaction })`):
   * runs `run` in one transaction of this service's database; each message's own transaction
   * becomes a savepoint inside it.
   */
  readonly transaction: (run: () => void) => void;
  private readonly commits: GroupCommit;

  constructor(
    private readonly repo: PaymentsRepo,
    private readonly outbox: OutboxStore,
    private readonly processed: ProcessedMessages,
    private readonly limitCents: number,
    private readonly metrics: PaymentMetrics | undefined,
    private readonly onCommitted: () => void,
  ) {
    this.applyOnce = repo.db.transaction((event: AnyDomainEvent): PaymentOutcome =>
      this.processed.claim(CONSUMER, event.messageId) ? this.effect(event) : 'duplicate');
    this.commits = groupCommit(repo.db);
    this.transaction = (run) => this.commits.transaction(run);
  }

  apply(event: AnyDomainEvent): PaymentOutcome {
    const outcome = this.applyOnce(event);
    if (outcome === 'charged' || outcome === 'declined' || outcome === 'refunded') {
      // counted once the batch is committed: a rolled-back batch is delivered again
      this.commits.afterCommit(() => {
        this.onCommitted();
        if (outcome === 'refunded') this.metrics?.compensations.inc({ reason: 'out_of_stock', action: 'refund' });
        else this.metrics?.payments.inc({ outcome });
      });
    }
    return outcome;
  }

  private effect(event: AnyDomainEvent): PaymentOutcome {
    const now = new Date().toISOString();
    if (event.type === 'order.placed') {
      const { orderId, totalCents, items } = event.payload;
      if (this.repo.get(orderId)) return 'ignored'; // the same order placed twice under two message IDs
      const decision = decideCharge(totalCents, this.limitCents);
      const paymentId = randomUUID();
      this.repo.insert({ orderId, paymentId, amountCents: totalCents, status: decision.status, reason: decision.status === 'declined' ? decision.reason : null, updatedAt: now });
      if (decision.status === 'charged') {
        this.enqueue(createEvent('payment.succeeded', { orderId, paymentId, amountCents: totalCents, items }, { correlationId: currentCorrelationId() }));
        return 'charged';
      }
      this.enqueue(createEvent('payment.failed', { orderId, amountCents: totalCents, reason: decision.reason }, { correlationId: currentCorrelationId() }));
      return 'declined';
    }
    if (event.type === 'coffee.rejected') {
      const { orderId } = event.payload;
      const payment = this.repo.get(orderId);
      const decision = decideRefund(payment);
      if (decision === 'wait') throw new NotYetError(`no payment for order ${orderId} yet`);
      if (decision === 'none') return 'nothing_to_refund';
      this.repo.setStatus(orderId, 'refunded', event.payload.reason, now);
      this.enqueue(createEvent('payment.refunded', { orderId, paymentId: payment!.paymentId, amountCents: payment!.amountCents, reason: 'out_of_stock' }, { correlationId: currentCorrelationId() }));
      return 'refunded';
    }
    return 'ignored';
  }

  private enqueue<T extends EventType>(event: DomainEvent<T>): void {
    this.outbox.add({ messageId: event.messageId, routingKey: event.type, body: event, correlationId: event.correlationId });
  }
}
