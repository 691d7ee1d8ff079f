import type { Migration } from '@brewops/platform';

/**
 * The barista database schema: stock and brews (the stock is seeded by BarRepo).
 * Applied by the platform's `openDatabase` (versions in `schema_migrations`).
 * Append a step for every change; never edit a released one. Step 1 keeps `IF NOT EXISTS`:
 * databases created before migrations existed already hold its tables.
 */
export const BARISTA_MIGRATIONS: readonly Migration[] = [
  {
    name: 'stock-and-brews',
    sql: `CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, quantity INTEGER NOT NULL CHECK (quantity >= 0));
    CREATE TABLE IF NOT EXISTS brews (order_id TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT, brew_ms REAL NOT NULL, at TEXT NOT NULL);`,
  },
];
