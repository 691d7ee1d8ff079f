/** A member of the coffee shop's loyalty programme. No PII beyond a display name. */
export interface Member {
  readonly id: string;
  readonly displayName: string;
  readonly tier: Tier;
  /** Discount on the order total, in percent (from the tier). */
  readonly discountPercent: number;
}

export type Tier = 'bronze' | 'silver' | 'gold';

/** Discount per tier, in percent. */
export const TIER_DISCOUNT: Readonly<Record<Tier, number>> = { bronze: 0, silver: 5, gold: 10 };

/** Seed members: the same on every instance (each replica has its own database). */
export const SEED_MEMBERS: ReadonlyArray<Omit<Member, 'discountPercent'>> = [
  { id: 'm-100', displayName: 'Ada', tier: 'gold' },
  { id: 'm-200', displayName: 'Brian', tier: 'silver' },
  { id: 'm-300', displayName: 'Chen', tier: 'bronze' },
];

export function withDiscount(m: Omit<Member, 'discountPercent'>): Member {
  return { ...m, discountPercent: TIER_DISCOUNT[m.tier] };
}
