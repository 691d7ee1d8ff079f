import { setTimeout as sleep } from 'node:timers/promises';
import { createEvent } from '@brewops/contracts';
import type { AnyDomainEvent, DomainEvent, EventType } from '@brewops/contracts';
import { currentCorrelationId } from '@brewops/platform';
import type { OutboxStore, ProcessedMessages } from '@brewops/platform';
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
  constructor(
    private readonly repo: BarRepo,
    private readonly outbox: OutboxStore,
    private readonly processed: ProcessedMessages,
    private readonly brewMs: number,
    private readonly metrics: BaristaMetrics | undefined,
    private readonly onCommitted: () => void,
  ) {}

  async apply(event: AnyDomainEvent): Promise<BrewOutcome> {
    if (event.type !== 'payment.succeeded') return 'ignored';
    const started = process.hrtime.bigint();
    if (this.brewMs > 0) await sleep(this.brewMs);
    const { orderId, items } = event.payload;
    let outcome = 'duplicate' as BrewOutcome;
    this.repo.db.transaction(() => {
      if (!this.processed.claim(CONSUMER, event.messageId)) return;
      if (this.repo.brew(orderId)) {
        outcome = 'ignored';
        return;
      }
      const decision = decideBrew(items, (sku) => this.repo.stockOf(sku));
      const brewMs = Number(process.hrtime.bigint() - started) / 1e6;
      const at = new Date().toISOString();
      if (decision.kind === 'brew') {
        for (const [sku, n] of decision.take) this.repo.take(sku, n);
        this.repo.insertBrew({ orderId, status: 'ready', reason: null, brewMs, at });
        this.enqueue(createEvent('coffee.ready', { orderId, brewMs }, { correlationId: currentCorrelationId() }));
        outcome = 'ready';
      } else {
        this.repo.insertBrew({ orderId, status: 'rejected', reason: 'out_of_stock', brewMs, at });
        this.enqueue(createEvent('coffee.rejected', { orderId, reason: 'out_of_stock', sku: decision.sku }, { correlationId: currentCorrelationId() }));
        outcome = 'rejected';
      }
    })();
    if (outcome === 'ready' || outcome === 'rejected') {
      this.onCommitted();
      this.metrics?.brews.inc({ outcome });
      if (outcome === 'ready') this.metrics?.brewTime.observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return outcome;
  }

  private enqueue<T extends EventType>(event: DomainEvent<T>): void {
    this.outbox.add({ messageId: event.messageId, routingKey: event.type, body: event, correlationId: event.correlationId });
  }
}
