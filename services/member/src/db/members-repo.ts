import type Database from 'better-sqlite3';
import { SEED_MEMBERS, withDiscount } from '../handlers/members.js';
import type { Member, Tier } from '../handlers/members.js';

/** Members of this instance's database, seeded deterministically on open. */
export class MembersRepo {
  private readonly findStmt: Database.Statement;

  constructor(db: Database.Database) {
    const seed = db.prepare('INSERT OR IGNORE INTO members (id, display_name, tier) VALUES (?, ?, ?)');
    db.transaction(() => { for (const m of SEED_MEMBERS) seed.run(m.id, m.displayName, m.tier); })();
    this.findStmt = db.prepare('SELECT id, display_name, tier FROM members WHERE id = ?');
  }

  find(id: string): Member | undefined {
    const r = this.findStmt.get(id) as { id: string; display_name: string; tier: Tier } | undefined;
    return r ? withDiscount({ id: r.id, displayName: r.display_name, tier: r.tier }) : undefined;
  }
}
