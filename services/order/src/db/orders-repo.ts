import type Database from 'better-sqlite3';
import type { Order, OrderStatus } from '../handlers/place-order.js';

/** Orders of this instance, and the responses stored under Idempotency-Key. */
export class OrdersRepo {
  private readonly insertOrder: Database.Statement;
  private readonly selectOrder: Database.Statement;
  private readonly selectStatus: Database.Statement;
  private readonly updateStatus: Database.Statement;
  private readonly selectKey: Database.Statement;
  private readonly insertKey: Database.Statement;
  private readonly purgeKeys: Database.Statement;

  constructor(readonly db: Database.Database) {
    this.insertOrder = db.prepare('INSERT INTO orders (order_id, body, status, placed_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    this.selectOrder = db.prepare('SELECT body, status, cancel_reason, updated_at FROM orders WHERE order_id = ?');
    this.selectStatus = db.prepare('SELECT status, placed_at FROM orders WHERE order_id = ?');
    this.updateStatus = db.prepare('UPDATE orders SET status = ?, cancel_reason = ?, updated_at = ? WHERE order_id = ?');
    this.selectKey = db.prepare('SELECT request_hash, status_code, response FROM idempotency_keys WHERE key = ?');
    this.insertKey = db.prepare('INSERT INTO idempotency_keys (key, request_hash, status_code, response, created_at) VALUES (?, ?, ?, ?, ?)');
    this.purgeKeys = db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?');
  }

  insert(order: Order): void {
    this.insertOrder.run(order.orderId, JSON.stringify(order), order.status, order.placedAt, order.placedAt);
  }

  get(orderId: string): Order | undefined {
    const row = this.selectOrder.get(orderId) as { body: string; status: OrderStatus; cancel_reason: string | null; updated_at: string } | undefined;
    if (!row) return undefined;
    const order = JSON.parse(row.body) as Order;
    // orders stored before pricingFallbackCause existed read as null
    return { ...order, pricingFallbackCause: order.pricingFallbackCause ?? null, status: row.status, cancelReason: row.cancel_reason, updatedAt: row.updated_at };
  }

  /** The status and placing time of an order (no body to parse: the saga's hot path). */
  statusOf(orderId: string): { status: OrderStatus; placedAt: string } | undefined {
    const row = this.selectStatus.get(orderId) as { status: OrderStatus; placed_at: string } | undefined;
    return row ? { status: row.status, placedAt: row.placed_at } : undefined;
  }

  setStatus(orderId: string, status: OrderStatus, cancelReason: string | null, at: string): void {
    this.updateStatus.run(status, cancelReason, at, orderId);
  }

  findKey(key: string): { requestHash: string; statusCode: number; response: unknown } | undefined {
    const row = this.selectKey.get(key) as { request_hash: string; status_code: number; response: string } | undefined;
    return row ? { requestHash: row.request_hash, statusCode: row.status_code, response: JSON.parse(row.response) as unknown } : undefined;
  }

  saveKey(key: string, requestHash: string, statusCode: number, response: unknown, now = Date.now()): void {
    this.insertKey.run(key, requestHash, statusCode, JSON.stringify(response), now);
  }

  purgeKeysBefore(epochMs: number): number {
    return this.purgeKeys.run(epochMs).changes;
  }
}
