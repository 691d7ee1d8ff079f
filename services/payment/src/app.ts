import { OutboxRelay, OutboxStore, ProcessedMessages, semconv } from '@brewops/platform';
import type { ServiceRuntime } from '@brewops/platform';
import { readPaymentConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { PaymentsRepo } from './db/payments-repo.js';
import { PaymentService } from './handlers/payment-service.js';
import { createPaymentMetrics } from './metrics.js';

export interface PaymentComponents {
  readonly repo: PaymentsRepo;
  readonly service: PaymentService;
  readonly relay: OutboxRelay;
}

/** Opens this instance's database and wires the payment service, its outbox and relay. */
export function wirePayment(rt: ServiceRuntime): PaymentComponents {
  const config = readPaymentConfig(process.env, rt.env.stateDir);
  const db = openDatabase(config.dbFile);
  const repo = new PaymentsRepo(db);
  const outbox = new OutboxStore(db);
  const processed = new ProcessedMessages(db);
  const stopPurge = processed.purgeEvery();
  const relay = new OutboxRelay({ store: outbox, messaging: rt.messaging!, exchange: semconv.EXCHANGE_EVENTS, logger: rt.logger, registry: rt.metrics.registry });
  const service = new PaymentService(repo, outbox, processed, config.limitCents, createPaymentMetrics(rt.metrics), () => relay.wake());
  rt.lifecycle.onShutdown('outbox-relay', () => relay.stop(), 'drain');
  rt.lifecycle.onShutdown('database', async () => { stopPurge(); db.close(); }, 'flush');
  return { repo, service, relay };
}
