import type { SqlDatabase, SqlStatement } from './sql.js';

/**
 * Processed message IDs per consumer, for idempotent consumers: `claim` inside the transaction
 * that applies the message's effect; a message seen before claims nothing and the caller skips
 * the effect. The effect and the record commit together or not at all.
 */
export class ProcessedMessages {
  private readonly insert: SqlStatement;
  private readonly purgeOld: SqlStatement;

  constructor(db: SqlDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS processed_messages (
      consumer TEXT NOT NULL,
      message_id TEXT NOT NULL,
      processed_at INTEGER NOT NULL,
      PRIMARY KEY (consumer, message_id)
    ) WITHOUT ROWID;`);
    this.insert = db.prepare('INSERT OR IGNORE INTO processed_messages (consumer, message_id, processed_at) VALUES (?, ?, ?)');
    this.purgeOld = db.prepare('DELETE FROM processed_messages WHERE processed_at < ?');
  }

  /**
   * Forgets IDs processed before `olderThan` (epoch ms); returns how many. Keep them longer than
   * a message can take to come back (retries, parking and replays from the parking queue).
   */
  purge(olderThan: number): number {
    return this.purgeOld.run(olderThan).changes;
  }

  /**
   * Purges IDs older than `keepMs` every `everyMs` (timer unref'd); returns the stop function.
   * @default keepMs 7 days, everyMs 1 hour
   */
  purgeEvery(keepMs = 7 * 86_400_000, everyMs = 3_600_000): () => void {
    const timer = setInterval(() => this.purge(Date.now() - keepMs), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** True the first time `messageId` is claimed by `consumer`; false for a duplicate. */
  claim(consumer: string, messageId: string, now = Date.now()): boolean {
    return this.insert.run(consumer, messageId, now).changes === 1;
  }
}
