import { join } from 'node:path';

/** Order service options, from the environment. */
export interface OrderConfig {
  /** SQLite file of this instance. Env `ORDER_DB`. @default `<BREWOPS_STATE_DIR>/order.db` */
  readonly dbFile: string;
  /** Idempotency keys are kept this long. Env `IDEMPOTENCY_TTL_SECONDS`. @default 86400 */
  readonly idempotencyTtlSeconds: number;
  /** Outbox rows published per relay round (one batch of confirms). Env `OUTBOX_BATCH`. @default 500 */
  readonly outboxBatch: number;
  /** Queue of the saga events order consumes. Env `ORDER_SAGA_QUEUE`. @default `order.saga-events` */
  readonly sagaQueue: string;
  /**
   * Fault injection: the relay's first round waits this long, so a crash test can kill the
   * process between commit and publish. Env `ORDER_RELAY_START_DELAY_MS`. @default 0
   */
  readonly relayStartDelayMs: number;
}

export function readOrderConfig(env: NodeJS.ProcessEnv, stateDir: string): OrderConfig {
  return {
    dbFile: env['ORDER_DB'] ?? join(stateDir, 'order.db'),
    idempotencyTtlSeconds: Number(env['IDEMPOTENCY_TTL_SECONDS'] ?? 86_400),
    outboxBatch: Number(env['OUTBOX_BATCH'] ?? 500),
    sagaQueue: env['ORDER_SAGA_QUEUE'] ?? 'order.saga-events',
    relayStartDelayMs: Number(env['ORDER_RELAY_START_DELAY_MS'] ?? 0),
  };
}
