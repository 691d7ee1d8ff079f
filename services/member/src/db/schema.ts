import type { Migration } from '@brewops/platform';

/**
 * The member database schema (the members are seeded by MembersRepo).
 * Applied by the platform's `openDatabase` (versions in `schema_migrations`).
 * Append a step for every change; never edit a released one. Step 1 keeps `IF NOT EXISTS`:
 * databases created before migrations existed already hold its tables.
 */
export const MEMBER_MIGRATIONS: readonly Migration[] = [
  {
    name: 'members',
    sql: `CREATE TABLE IF NOT EXISTS members (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, tier TEXT NOT NULL)`,
  },
];
