import type { Migration } from '@brewops/platform';

/**
 * The payment database schema.
 * Applied by the platform's `openDatabase` (versions in `schema_migrations`).
 * Append a step for every change; never edit a released one. Step 1 keeps `IF NOT EXISTS`:
 * databases created before migrations existed already hold its tables.
 */
export const PAYMENT_MIGRATIONS: readonly Migration[] = [
  {
    name: 'payments',
    sql: `CREATE TABLE IF NOT EXISTS payments (
      order_id TEXT PRIMARY KEY,
      payment_id TEXT NOT NULL,
      amount_cents INTEGER NOT NULL,
      status TEXT NOT NULL,
      reason TEXT,
      updated_at TEXT NOT NULL
    );`,
  },
];
