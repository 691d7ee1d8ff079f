/**
 * The few SQLite calls the outbox and inbox need, structurally: a `better-sqlite3` Database fits
 * without the platform depending on it (each service owns its database and driver).
 */
export interface SqlStatement {
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
}

export interface SqlDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): SqlStatement;
  /** Wraps `fn` so that each call runs in one transaction (rolled back if it throws). */
  transaction(fn: () => void): () => void;
}
