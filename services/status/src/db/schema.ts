import type { Migration } from '@brewops/platform';

/**
 * The status read-model schema: current status per order and every change.
 * Applied by the platform's `openDatabase` (versions in `schema_migrations`).
 * Append a step for every change; never edit a released one. Step 1 keeps `IF NOT EXISTS`:
 * databases created before migrations existed already hold its tables.
 */
export const STATUS_MIGRATIONS: readonly Migration[] = [
  {
    name: 'order-status-and-changes',
    sql: `CREATE TABLE IF NOT EXISTS order_status (order_id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS status_changes (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL,
      event_id TEXT NOT NULL, event_type TEXT NOT NULL, detail TEXT
    );
    CREATE INDEX IF NOT EXISTS status_changes_order ON status_changes(order_id, seq);`,
  },
];
