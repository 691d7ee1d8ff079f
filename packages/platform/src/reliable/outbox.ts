import { context, propagation } from '@opentelemetry/api';
import type { SqlDatabase, SqlStatement } from './sql.js';

/** One event waiting to be published (or published: `sentAt` set). */
export interface OutboxRow {
  readonly id: number;
  readonly messageId: string;
  readonly routingKey: string;
  /** The serialized event (JSON). */
  readonly body: string;
  /** W3C `traceparent`/`tracestate`/`baggage` of the transaction that wrote the row. */
  readonly carrier: Record<string, string>;
  readonly correlationId: string | undefined;
}

/** What goes into the outbox: the event's routing key, its message ID and JSON body. */
export interface OutboxEntry {
  readonly messageId: string;
  readonly routingKey: string;
  readonly body: unknown;
  readonly correlationId?: string | undefined;
}

/**
 * The transactional outbox table of one service database. `add` must run inside the same
 * transaction as the state change it announces; it captures the active trace context so the
 * relay publishes inside the trace that caused the event.
 */
export class OutboxStore {
  private readonly insert: SqlStatement;
  private readonly selectPending: SqlStatement;
  private readonly markMany: SqlStatement;
  private readonly purgeSent: SqlStatement;
  private readonly countPending: SqlStatement;

  constructor(db: SqlDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id TEXT NOT NULL UNIQUE,
      routing_key TEXT NOT NULL,
      body TEXT NOT NULL,
      carrier TEXT NOT NULL,
      correlation_id TEXT,
      created_at INTEGER NOT NULL,
      sent_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(id) WHERE sent_at IS NULL;`);
    this.insert = db.prepare('INSERT INTO outbox (message_id, routing_key, body, carrier, correlation_id, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectPending = db.prepare('SELECT id, message_id, routing_key, body, carrier, correlation_id FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?');
    this.markMany = db.prepare('UPDATE outbox SET sent_at = ? WHERE id IN (SELECT value FROM json_each(?))');
    this.purgeSent = db.prepare('DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
    this.countPending = db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL');
  }

  /** Adds an event; call inside the transaction that changes the state it announces. */
  add(entry: OutboxEntry, now = Date.now()): void {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    this.insert.run(entry.messageId, entry.routingKey, JSON.stringify(entry.body), JSON.stringify(carrier), entry.correlationId ?? null, now);
  }

  /** The oldest unsent rows, at most `limit`. */
  pending(limit: number): OutboxRow[] {
    return (this.selectPending.all(limit) as Array<Record<string, unknown>>).map((r) => ({
      id: r['id'] as number,
      messageId: r['message_id'] as string,
      routingKey: r['routing_key'] as string,
      body: r['body'] as string,
      carrier: JSON.parse(r['carrier'] as string) as Record<string, string>,
      correlationId: (r['correlation_id'] as string | null) ?? undefined,
    }));
  }

  /** Marks rows as published (one statement). */
  markSent(ids: readonly number[], now = Date.now()): void {
    if (ids.length === 0) return;
    this.markMany.run(now, JSON.stringify(ids));
  }

  /** Deletes rows sent before `olderThan` (epoch ms); returns how many. */
  purge(olderThan: number): number {
    return this.purgeSent.run(olderThan).changes;
  }

  pendingCount(): number {
    return (this.countPending.get() as { n: number }).n;
  }
}
