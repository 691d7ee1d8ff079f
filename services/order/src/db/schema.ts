import type { Migration } from '@brewops/platform';

/**
 * The order database schema: orders and Idempotency-Key responses.
 * Applied by the platform's `openDatabase` (versions in `schema_migrations`).
 * Append a step for every change; never edit a released one. Step 1 keeps `IF NOT EXISTS`:
 * databases created before migrations existed already hold its tables.
 */
export const ORDER_MIGRATIONS: readonly Migration[] = [
  {
    name: 'orders-and-idempotency-keys',
    sql: `CREATE TABLE IF NOT EXISTS orders (
      order_id TEXT PRIMARY KEY,
      body TEXT NOT NULL,
      status TEXT NOT NULL,
      cancel_reason TEXT,
      placed_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS idempotency_keys (
      key TEXT PRIMARY KEY,
      request_hash TEXT NOT NULL,
      status_code INTEGER NOT NULL,
      response TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );`,
  },
];
