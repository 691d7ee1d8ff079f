import type Database from 'better-sqlite3';
import { SEED_STOCK } from '../handlers/brew.js';

export interface Brew {
  readonly orderId: string;
  readonly status: 'ready' | 'rejected';
  readonly reason: string | null;
  readonly brewMs: number;
  readonly at: string;
}

/** Stock and brews of this instance. */
export class BarRepo {
  private readonly stockStmt: Database.Statement;
  private readonly allStockStmt: Database.Statement;
  private readonly takeStmt: Database.Statement;
  private readonly setStockStmt: Database.Statement;
  private readonly insertBrewStmt: Database.Statement;
  private readonly brewStmt: Database.Statement;

  constructor(readonly db: Database.Database) {
    const seed = db.prepare('INSERT OR IGNORE INTO stock (sku, quantity) VALUES (?, ?)');
    db.transaction(() => { for (const [sku, n] of Object.entries(SEED_STOCK)) seed.run(sku, n); })();
    this.stockStmt = db.prepare('SELECT quantity FROM stock WHERE sku = ?');
    this.allStockStmt = db.prepare('SELECT sku, quantity FROM stock ORDER BY sku');
    this.takeStmt = db.prepare('UPDATE stock SET quantity = quantity - ? WHERE sku = ?');
    this.setStockStmt = db.prepare('UPDATE stock SET quantity = ? WHERE sku = ?');
    this.insertBrewStmt = db.prepare('INSERT INTO brews (order_id, status, reason, brew_ms, at) VALUES (?, ?, ?, ?, ?)');
    this.brewStmt = db.prepare('SELECT order_id, status, reason, brew_ms, at FROM brews WHERE order_id = ?');
  }

  stockOf(sku: string): number {
    return (this.stockStmt.get(sku) as { quantity: number } | undefined)?.quantity ?? 0;
  }

  allStock(): Array<{ sku: string; quantity: number }> {
    return this.allStockStmt.all() as Array<{ sku: string; quantity: number }>;
  }

  take(sku: string, n: number): void {
    this.takeStmt.run(n, sku);
  }

  /** Sets a SKU's stock; false when the SKU is not stocked at all. */
  setStock(sku: string, quantity: number): boolean {
    return this.setStockStmt.run(quantity, sku).changes === 1;
  }

  insertBrew(b: Brew): void {
    this.insertBrewStmt.run(b.orderId, b.status, b.reason, b.brewMs, b.at);
  }

  brew(orderId: string): Brew | undefined {
    const r = this.brewStmt.get(orderId) as Record<string, unknown> | undefined;
    return r ? { orderId: r['order_id'] as string, status: r['status'] as Brew['status'], reason: (r['reason'] as string | null) ?? null, brewMs: r['brew_ms'] as number, at: r['at'] as string } : undefined;
  }
}
