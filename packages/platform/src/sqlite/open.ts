import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { LoggerLike } from '../discovery/types.js';
import type { Lifecycle } from '../http/lifecycle.js';

/** One step of a service's schema. Steps are applied once each, in order; never edit or reorder a released one, add a new one. */
export interface Migration {
  /** Short name, kept in `schema_migrations` and logged (`orders`, `add-brew-time`). */
  readonly name: string;
  /** SQL run in one transaction together with its `schema_migrations` row. */
  readonly sql: string;
}

export interface OpenDatabaseOptions {
  /** SQLite file of this instance (its folder is created), or `:memory:` (tests). */
  readonly file: string;
  /** The service's schema steps; the first `n` already applied (rows in `schema_migrations`) are skipped. @default [] */
  readonly migrations?: readonly Migration[];
  /** Shutdown hooks: the database closes in the `flush` phase, after every `drain` hook. @default none (the caller closes it) */
  readonly lifecycle?: Pick<Lifecycle, 'onShutdown'>;
  /** Applied migrations are logged here. */
  readonly logger?: LoggerLike;
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/**
 * Opens (creating) one instance's SQLite database the way every brewops service keeps its state:
 * WAL (readers never block the writer), `synchronous=NORMAL` (durable at each WAL checkpoint,
 * never corrupt after a crash), a 5 s busy timeout; then brings its schema up to date.
 *
 * Migrations: version `i + 1` is `migrations[i]`; the versions applied are rows of
 * `schema_migrations`. Each pending step runs in its own transaction with its row, so a crash
 * leaves the database at the last complete step. A database with more steps than the code knows
 * (an older build started on a newer database) is refused: it would misread the data.
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  const { file } = options;
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.migrations ?? [], options.logger);
  } catch (err) {
    db.close();
    throw err;
  }
  options.lifecycle?.onShutdown('database', async () => { db.close(); }, 'flush');
  return db;
}

function migrate(db: Database.Database, migrations: readonly Migration[], logger: LoggerLike | undefined): void {
  db.exec(MIGRATIONS_TABLE);
  const current = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations');
  const versionNow = (): number => (current.get() as { v: number }).v;
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const newer = versionNow();
  if (newer > migrations.length) {
    throw new Error(`database schema is at version ${newer}, newer than this build knows (${migrations.length}): refusing to open it`);
  }
  for (let version = newer + 1; version <= migrations.length; version++) {
    const step = migrations[version - 1]!;
    // IMMEDIATE takes the write lock first: another process opening the same file waits, then skips the step
    const applied = db.transaction(() => {
      if (versionNow() >= version) return false;
      db.exec(step.sql);
      record.run(version, step.name, new Date().toISOString());
      return true;
    }).immediate();
    if (applied) logger?.info({ version, migration: step.name }, `sqlite: applied migration ${version} (${step.name})`);
  }
}
