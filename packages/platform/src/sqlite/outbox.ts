import { OutboxStore } from '../reliable/outbox.js';
import { ProcessedMessages } from '../reliable/inbox.js';
import { OutboxRelay } from '../reliable/relay.js';
import type { SqlDatabase } from '../reliable/sql.js';
import { EXCHANGE_EVENTS } from '../semconv.js';
import type { ServiceRuntime } from '../service/types.js';

export interface ReliableStoreOptions {
  /** Outbox rows published per relay round (one wait for many confirms). @default the relay's (500) */
  readonly outboxBatch?: number;
}

/** The outbox, the processed-message IDs and the relay of one service database. */
export interface ReliableStore {
  readonly outbox: OutboxStore;
  readonly processed: ProcessedMessages;
  /** Publishes the outbox to the events exchange; call `start()` once consumers may run. */
  readonly relay: OutboxRelay;
}

/**
 * The reliable-messaging half of a saga service's database: the transactional outbox with its
 * relay to `brewops.events` over the runtime's messaging (confirms, batched), and the processed
 * message IDs of its idempotent consumers (purged after 7 days). Shutdown: the relay stops and
 * the purge timer ends in the `drain` phase, before `openDatabase` closes the file in `flush`.
 */
export function reliableStore(rt: ServiceRuntime, db: SqlDatabase, options: ReliableStoreOptions = {}): ReliableStore {
  if (rt.messaging === undefined) throw new Error('reliableStore needs a service started with messaging: true');
  const outbox = new OutboxStore(db);
  const processed = new ProcessedMessages(db);
  const stopPurge = processed.purgeEvery();
  const relay = new OutboxRelay({
    store: outbox,
    messaging: rt.messaging,
    exchange: EXCHANGE_EVENTS,
    logger: rt.logger,
    registry: rt.metrics.registry,
    ...(options.outboxBatch !== undefined ? { batchSize: options.outboxBatch } : {}),
  });
  rt.lifecycle.onShutdown('outbox-relay', async () => { stopPurge(); await relay.stop(); }, 'drain');
  return { outbox, processed, relay };
}
