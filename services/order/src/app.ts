import { openDatabase, reliableStore, ServiceBreaker, upstreamPolicyFrom } from '@brewops/platform';
import type { OutboxRelay, ServiceRuntime } from '@brewops/platform';
import { readOrderConfig } from './config.js';
import type { OrderConfig } from './config.js';
import { OrdersRepo } from './db/orders-repo.js';
import { ORDER_MIGRATIONS } from './db/schema.js';
import type { MemberApi } from './handlers/member-lookup.js';
import { OrderService } from './handlers/order-service.js';
import { createOrderMetrics } from './metrics.js';

export interface OrderComponents {
  readonly config: OrderConfig;
  readonly repo: OrdersRepo;
  readonly service: OrderService;
  readonly relay: OutboxRelay;
  readonly member: MemberApi;
}

/** Opens this instance's database and wires the order service, its outbox and relay, and the member call. */
export function wireOrder(rt: ServiceRuntime): OrderComponents {
  const config = readOrderConfig(process.env, rt.env.stateDir);
  const db = openDatabase({ file: config.dbFile, migrations: ORDER_MIGRATIONS, lifecycle: rt.lifecycle, logger: rt.logger });
  const repo = new OrdersRepo(db);
  const { outbox, processed, relay } = reliableStore(rt, db, { outboxBatch: config.outboxBatch });
  const service = new OrderService(repo, outbox, processed, createOrderMetrics(rt.metrics), () => relay.wake());
  const purge = setInterval(() => repo.purgeKeysBefore(Date.now() - config.idempotencyTtlSeconds * 1000), 60_000);
  purge.unref();
  rt.lifecycle.onShutdown('idempotency-purge', async () => { clearInterval(purge); }, 'drain');
  // order → member: per-instance breakers in the client, and one breaker over the whole service
  // (threshold and cool-down from `upstreams.member.breaker`, live) so that member down = no calls
  const breaker = new ServiceBreaker({ service: 'member', policy: upstreamPolicyFrom(rt.config, 'member'), registry: rt.metrics.registry, logger: rt.logger });
  return { config, repo, service, relay, member: { client: () => rt.client('member'), breaker } };
}
