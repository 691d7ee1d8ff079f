import { openDatabase, reliableStore } from '@brewops/platform';
import type { OutboxRelay, ServiceRuntime } from '@brewops/platform';
import { readPaymentConfig } from './config.js';
import { PaymentsRepo } from './db/payments-repo.js';
import { PAYMENT_MIGRATIONS } from './db/schema.js';
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
  const db = openDatabase({ file: config.dbFile, migrations: PAYMENT_MIGRATIONS, lifecycle: rt.lifecycle, logger: rt.logger });
  const repo = new PaymentsRepo(db);
  const { outbox, processed, relay } = reliableStore(rt, db);
  const service = new PaymentService(repo, outbox, processed, config.limitCents, createPaymentMetrics(rt.metrics), () => relay.wake());
  return { repo, service, relay };
}
