import { openDatabase, reliableStore } from '@brewops/platform';
import type { OutboxRelay, ServiceRuntime } from '@brewops/platform';
import { readBaristaConfig } from './config.js';
import { BarRepo } from './db/bar-repo.js';
import { BARISTA_MIGRATIONS } from './db/schema.js';
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
  const db = openDatabase({ file: config.dbFile, migrations: BARISTA_MIGRATIONS, lifecycle: rt.lifecycle, logger: rt.logger });
  const repo = new BarRepo(db);
  const { outbox, processed, relay } = reliableStore(rt, db);
  const service = new BaristaService(repo, outbox, processed, config.brewMs, createBaristaMetrics(rt.metrics), () => relay.wake());
  return { repo, service, relay };
}
