import { OutboxRelay, OutboxStore, ProcessedMessages, semconv } from '@brewops/platform';
import type { ServiceRuntime } from '@brewops/platform';
import { readOrderConfig } from './config.js';
import type { OrderConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { OrdersRepo } from './db/orders-repo.js';
import { OrderService } from './handlers/order-service.js';
import { createOrderMetrics } from './metrics.js';

export interface OrderComponents {
  readonly config: OrderConfig;
  readonly repo: OrdersRepo;
  readonly service: OrderService;
  readonly relay: OutboxRelay;
}

/** Opens this instance's database and wires the order service, its outbox and relay. */
export function wireOrder(rt: ServiceRuntime): OrderComponents {
  const config = readOrderConfig(process.env, rt.env.stateDir);
  const db = openDatabase(config.dbFile);
  const repo = new OrdersRepo(db);
  const outbox = new OutboxStore(db);
  const processed = new ProcessedMessages(db);
  const stopPurge = processed.purgeEvery();
  const relay = new OutboxRelay({
    store: outbox,
    messaging: rt.messaging!,
    exchange: semconv.EXCHANGE_EVENTS,
    logger: rt.logger,
    registry: rt.metrics.registry,
    batchSize: config.outboxBatch,
  });
  const service = new OrderService(repo, outbox, processed, createOrderMetrics(rt.metrics), () => relay.wake());
  const purge = setInterval(() => repo.purgeKeysBefore(Date.now() - config.idempotencyTtlSeconds * 1000), 60_000);
  purge.unref();
  rt.lifecycle.onShutdown('outbox-relay', () => relay.stop(), 'drain');
  rt.lifecycle.onShutdown('database', async () => { stopPurge(); clearInterval(purge); db.close(); }, 'flush');
  return { config, repo, service, relay };
}
