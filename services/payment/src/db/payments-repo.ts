import type Database from 'better-sqlite3';
import type { Payment } from '../handlers/decide.js';

export class PaymentsRepo {
  private readonly insertStmt: Database.Statement;
  private readonly selectStmt: Database.Statement;
  private readonly updateStmt: Database.Statement;

  constructor(readonly db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO payments (order_id, payment_id, amount_cents, status, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectStmt = db.prepare('SELECT order_id, payment_id, amount_cents, status, reason, updated_at FROM payments WHERE order_id = ?');
    this.updateStmt = db.prepare('UPDATE payments SET status = ?, reason = ?, updated_at = ? WHERE order_id = ?');
  }

  insert(p: Payment): void {
    this.insertStmt.run(p.orderId, p.paymentId, p.amountCents, p.status, p.reason, p.updatedAt);
  }

  get(orderId: string): Payment | undefined {
    const r = this.selectStmt.get(orderId) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      orderId: r['order_id'] as string,
      paymentId: r['payment_id'] as string,
      amountCents: r['amount_cents'] as number,
      status: r['status'] as Payment['status'],
      reason: (r['reason'] as string | null) ?? null,
      updatedAt: r['updated_at'] as string,
    };
  }

  setStatus(orderId: string, status: Payment['status'], reason: string | null, at: string): void {
    this.updateStmt.run(status, reason, at, orderId);
  }
}
