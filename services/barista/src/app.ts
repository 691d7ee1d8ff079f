import { OutboxRelay, OutboxStore, ProcessedMessages, semconv } from '@brewops/platform';
import type { ServiceRuntime } from '@brewops/platform';
import { readBaristaConfig } from './config.js';
import { openDatabase } from './db/open.js';
import { BarRepo } from './db/bar-repo.js';
import { BaristaService } from './handlers/barista-service.js';
import { createBaristaMetrics } from './metrics.js';

export interface BaristaComponents {
  readonly repo: BarRepo;
  readonly service: BaristaService;
  readonly relay: OutboxRelay;
}

/** Opens this instance's database (seeding the stock) and wires the barista service, outbox and relay. */
export function wireBarista(rt: ServiceRuntime): BaristaComponents {
  const config = readBaristaConfig(process.env, rt.env.stateDir);
  const db = openDatabase(config.dbFile);
  const repo = new BarRepo(db);
  const outbox = new OutboxStore(db);
  const processed = new ProcessedMessages(db);
  const stopPurge = processed.purgeEvery();
  const relay = new OutboxRelay({ store: outbox, messaging: rt.messaging!, exchange: semconv.EXCHANGE_EVENTS, logger: rt.logger, registry: rt.metrics.registry });
  const service = new BaristaService(repo, outbox, processed, config.brewMs, createBaristaMetrics(rt.metrics), () => relay.wake());
  rt.lifecycle.onShutdown('outbox-relay', () => relay.stop(), 'drain');
  rt.lifecycle.onShutdown('database', async () => { stopPurge(); db.close(); }, 'flush');
  return { repo, service, relay };
}
