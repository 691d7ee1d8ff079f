import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import { Counter, Gauge } from 'prom-client';
import type { Messaging } from '../messaging/index.js';
import type { LoggerLike, MetricsRegistryLike } from '../messaging/types.js';
import type { OutboxStore } from './outbox.js';

export interface OutboxRelayOptions {
  readonly store: OutboxStore;
  readonly messaging: Pick<Messaging, 'publish'>;
  readonly exchange: string;
  readonly logger: LoggerLike;
  readonly registry?: MetricsRegistryLike;
  /** Rows published per round; their confirms are awaited together. @default 500 */
  readonly batchSize?: number;
  /** Poll interval when nobody calls `wake()` (e.g. rows left by a crash). @default 250 */
  readonly pollMs?: number;
  /** Pause after a failed round (broker down). @default 1000 */
  readonly retryMs?: number;
  /** Sent rows are deleted after this long. @default 3600000 */
  readonly keepSentMs?: number;
}

const METRIC_RELAYED = 'brewops_outbox_relayed_total';
const METRIC_PENDING = 'brewops_outbox_pending';

/**
 * Publishes outbox rows with publisher confirms: a round writes up to `batchSize` messages
 * without waiting, then awaits all their confirms at once, and marks the confirmed rows sent.
 * Each message is published inside the trace context stored with its row, so the producer span
 * belongs to the trace of the request (or message) that wrote it. At-least-once: a crash between
 * confirm and mark publishes a row again; consumers dedupe by message ID.
 */
export class OutboxRelay {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private lastPurge = 0;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly retryMs: number;
  private readonly keepSentMs: number;
  private readonly relayed: Counter<'outcome'> | undefined;

  constructor(private readonly opts: OutboxRelayOptions) {
    this.batchSize = opts.batchSize ?? 500;
    this.pollMs = opts.pollMs ?? 250;
    this.retryMs = opts.retryMs ?? 1000;
    this.keepSentMs = opts.keepSentMs ?? 3_600_000;
    const registry = opts.registry;
    if (registry) {
      this.relayed = (registry.getSingleMetric(METRIC_RELAYED) as Counter<'outcome'> | undefined) ?? new Counter({
        name: METRIC_RELAYED,
        help: 'Outbox rows the relay published, by outcome (confirmed, failed).',
        labelNames: ['outcome'] as const,
        registers: [registry],
      });
      if (!registry.getSingleMetric(METRIC_PENDING)) {
        const store = opts.store;
        new Gauge({
          name: METRIC_PENDING,
          help: 'Outbox rows not yet confirmed by the broker.',
          registers: [registry],
          collect() { this.set(store.pendingCount()); },
        });
      }
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Call after committing a transaction that added rows: publishes without waiting for the poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stops after the current round (its confirms are awaited). */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** One round: returns how many rows were confirmed. Exposed for tests and the benchmark. */
  async relayOnce(): Promise<{ confirmed: number; failed: number }> {
    const rows = this.opts.store.pending(this.batchSize);
    if (rows.length === 0) return { confirmed: 0, failed: 0 };
    const results = await Promise.allSettled(rows.map((row) =>
      context.with(propagation.extract(ROOT_CONTEXT, row.carrier), () =>
        this.opts.messaging.publish(this.opts.exchange, row.routingKey, Buffer.from(row.body, 'utf8'), {
          messageId: row.messageId,
          type: row.routingKey,
          contentType: 'application/json',
          ...(row.correlationId !== undefined ? { correlationId: row.correlationId } : {}),
        }))));
    const sent: number[] = [];
    let firstError: unknown;
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') sent.push(rows[i]!.id);
      else firstError ??= r.reason;
    });
    this.opts.store.markSent(sent);
    const failed = rows.length - sent.length;
    this.relayed?.inc({ outcome: 'confirmed' }, sent.length);
    if (failed > 0) {
      this.relayed?.inc({ outcome: 'failed' }, failed);
      this.opts.logger.warn({ err: firstError, failed, confirmed: sent.length }, 'outbox: some events were not confirmed; retrying');
    }
    return { confirmed: sent.length, failed };
  }

  private async run(): Promise<void> {
    while (this.running) {
      let pause = this.pollMs;
      let troubled = false;
      try {
        this.woken = false;
        const { confirmed, failed } = await this.relayOnce();
        if (failed > 0) troubled = true;
        else if (confirmed === this.batchSize) pause = 0;
        this.purgeNow();
      } catch (err) {
        this.opts.logger.error({ err }, 'outbox: relay round failed');
        troubled = true;
      }
      // After a failure wait out the retry pause even when woken: the broker is not there yet.
      if (troubled && this.running) await this.sleep(this.retryMs, false);
      else if (pause > 0 && !this.woken && this.running) await this.sleep(pause, true);
    }
  }

  private purgeNow(): void {
    const now = Date.now();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    this.opts.store.purge(now - this.keepSentMs);
  }

  /** Sleeps `ms`; `wakeable` lets `wake()` cut it short (`stop()` always does). */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = () => { if (wakeable || !self.running) done(); };
    });
  }
}
