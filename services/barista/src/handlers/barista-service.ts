import { setTimeout as sleep } from 'node:timers/promises';
import { createEvent } from '@brewops/contracts';
import type { AnyDomainEvent, DomainEvent, EventType } from '@brewops/contracts';
import { currentCorrelationId, groupCommit } from '@brewops/platform';
import type { GroupCommit, OutboxStore, ProcessedMessages } from '@brewops/platform';
import type { BarRepo } from '../db/bar-repo.js';
import type { BaristaMetrics } from '../metrics.js';
import { decideBrew } from './brew.js';

export const CONSUMER = 'barista.saga';

export type BrewOutcome = 'ready' | 'rejected' | 'duplicate' | 'ignored';

/**
 * Barista's part of the saga: payment.succeeded → brew (stock taken) and coffee.ready, or
 * coffee.rejected when a SKU is out of stock. One transaction with the processed-message record
 * and the outbox row.
 */
export class BaristaService {
  /** One transaction per message (a savepoint inside a consumer's batch transaction); built once. */
  private readonly brewOnce: (event: DomainEvent<'payment.succeeded'>, started: bigint) => BrewOutcome;
  /**
   * Group commit for the saga consumer (`consume(..., { transaction: service.transaction })`):
   * runs `run` in one transaction of this service's database; each message's own transaction
   * becomes a savepoint inside it (with `brewMs` > 0 the brew runs after
   * an `await`, so in its own transaction).
   */
  readonly transaction: (run: () => void) => void;
  private readonly commits: GroupCommit;

  constructor(
    private readonly repo: BarRepo,
    private readonly outbox: OutboxStore,
    private readonly processed: ProcessedMessages,
    private readonly brewMs: number,
    private readonly metrics: BaristaMetrics | undefined,
    private readonly onCommitted: () => void,
  ) {
    this.brewOnce = repo.db.transaction((event: DomainEvent<'payment.succeeded'>, started: bigint) => this.brew(event, started));
    this.commits = groupCommit(repo.db);
    this.transaction = (run) => this.commits.transaction(run);
  }

  /** Synchronous (one transaction) when `brewMs` is 0, so it joins a consumer's batch transaction. */
  async apply(event: AnyDomainEvent): Promise<BrewOutcome> {
    if (event.type !== 'payment.succeeded') return 'ignored';
    const started = process.hrtime.bigint();
    if (this.brewMs > 0) await sleep(this.brewMs);
    const outcome = this.brewOnce(event, started);
    if (outcome === 'ready' || outcome === 'rejected') {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // counted once the batch is committed: a rolled-back batch is delivered again
      this.commits.afterCommit(() => {
        this.onCommitted();
        this.metrics?.brews.inc({ outcome });
        if (outcome === 'ready') this.metrics?.brewTime.observe(seconds);
      });
    }
    return outcome;
  }

  private brew(event: DomainEvent<'payment.succeeded'>, started: bigint): BrewOutcome {
    const { orderId, items } = event.payload;
    if (!this.processed.claim(CONSUMER, event.messageId)) return 'duplicate';
    if (this.repo.brew(orderId)) return 'ignored';
    const decision = decideBrew(items, (sku) => this.repo.stockOf(sku));
    const brewMs = Number(process.hrtime.bigint() - started) / 1e6;
    const at = new Date().toISOString();
    if (decision.kind === 'brew') {
      for (const [sku, n] of decision.take) this.repo.take(sku, n);
      this.repo.insertBrew({ orderId, status: 'ready', reason: null, brewMs, at });
      this.enqueue(createEvent('coffee.ready', { orderId, brewMs }, { correlationId: currentCorrelationId() }));
      return 'ready';
    }
    this.repo.insertBrew({ orderId, status: 'rejected', reason: 'out_of_stock', brewMs, at });
    this.enqueue(createEvent('coffee.rejected', { orderId, reason: 'out_of_stock', sku: decision.sku }, { correlationId: currentCorrelationId() }));
    return 'rejected';
  }

  private enqueue<T extends EventType>(event: DomainEvent<T>): void {
    this.outbox.add({ messageId: event.messageId, routingKey: event.type, body: event, correlationId: event.correlationId });
  }
}
