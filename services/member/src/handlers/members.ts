/** A member of the coffee shop's loyalty programme. No PII beyond a display name. */
export interface Member {
  readonly id: string;
  readonly displayName: string;
  readonly tier: 'bronze' | 'silver' | 'gold';
  /** Discount on the order total, in percent. */
  readonly discountPercent: number;
}

const TIER_DISCOUNT = { bronze: 0, silver: 5, gold: 10 } as const;

/** Seed members; the full member service (SQLite, tiers management) comes with the business issue. */
const SEED: readonly Member[] = [
  { id: 'm-100', displayName: 'Ada', tier: 'gold', discountPercent: TIER_DISCOUNT.gold },
  { id: 'm-200', displayName: 'Brian', tier: 'silver', discountPercent: TIER_DISCOUNT.silver },
  { id: 'm-300', displayName: 'Chen', tier: 'bronze', discountPercent: TIER_DISCOUNT.bronze },
];

export class MemberDirectory {
  private readonly byId = new Map(SEED.map((m) => [m.id, m]));

  find(id: string): Member | undefined {
    return this.byId.get(id);
  }
}
