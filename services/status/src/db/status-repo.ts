import type Database from 'better-sqlite3';
import type { ProcessedMessages } from '@brewops/platform';
import type { OrderStatus, OrderStatusName, StatusChange } from '../handlers/read-model.js';
import { supersedes } from '../handlers/read-model.js';

export const CONSUMER = 'status.read-model';

/**
 * The read model in SQLite: current status per order plus every change. Only events write it
 * (the consumer, or a rebuild from the event archive); applying an event twice changes nothing.
 */
export class StatusRepo {
  private readonly currentStmt: Database.Statement;
  private readonly upsertStmt: Database.Statement;
  private readonly historyStmt: Database.Statement;
  private readonly addChangeStmt: Database.Statement;

  constructor(readonly db: Database.Database, private readonly processed: ProcessedMessages) {
    this.currentStmt = db.prepare('SELECT status, updated_at FROM order_status WHERE order_id = ?');
    this.upsertStmt = db.prepare('INSERT INTO order_status (order_id, status, updated_at) VALUES (?, ?, ?) ON CONFLICT(order_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at');
    this.historyStmt = db.prepare('SELECT order_id, status, at, event_id, event_type, detail FROM status_changes WHERE order_id = ? ORDER BY seq');
    this.addChangeStmt = db.prepare('INSERT INTO status_changes (order_id, status, at, event_id, event_type, detail) VALUES (?, ?, ?, ?, ?, ?)');
  }

  /** Records a change once per event ID; returns false for a duplicate. */
  apply(change: StatusChange): boolean {
    let applied = false;
    this.db.transaction(() => {
      if (!this.processed.claim(CONSUMER, change.eventId)) return;
      applied = true;
      this.addChangeStmt.run(change.orderId, change.status, change.at, change.eventId, change.eventType, change.detail ?? null);
      const current = this.currentStmt.get(change.orderId) as { status: OrderStatusName } | undefined;
      if (supersedes(current?.status, change.status)) this.upsertStmt.run(change.orderId, change.status, change.at);
    })();
    return applied;
  }

  get(orderId: string): OrderStatus | undefined {
    const current = this.currentStmt.get(orderId) as { status: OrderStatusName; updated_at: string } | undefined;
    if (!current) return undefined;
    const history = (this.historyStmt.all(orderId) as Array<Record<string, unknown>>).map((r): StatusChange => ({
      orderId: r['order_id'] as string,
      status: r['status'] as OrderStatusName,
      at: r['at'] as string,
      eventId: r['event_id'] as string,
      eventType: r['event_type'] as string,
      ...(r['detail'] !== null ? { detail: r['detail'] as string } : {}),
    }));
    return { orderId, status: current.status, updatedAt: current.updated_at, history };
  }
}
