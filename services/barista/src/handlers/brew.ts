/** Stock of the bar, per SKU (portions). Seeded the same way on every instance. */
export const SEED_STOCK: Readonly<Record<string, number>> = {
  'espresso': 1_000_000,
  'flat-white': 1_000_000,
  'cappuccino': 1_000_000,
  'filter': 1_000_000,
  // The seasonal special ran out: orders for it are rejected and compensated (refund + cancel).
  'cold-brew': 0,
};

export interface Line {
  readonly sku: string;
  readonly quantity: number;
}

/**
 * Brew or reject: every line needs enough stock; otherwise the whole order is rejected and
 * nothing is taken. Quantities of the same SKU on several lines add up. Pure.
 */
export function decideBrew(items: readonly Line[], stockOf: (sku: string) => number): { kind: 'brew'; take: Map<string, number> } | { kind: 'reject'; sku: string } {
  const take = new Map<string, number>();
  for (const i of items) take.set(i.sku, (take.get(i.sku) ?? 0) + i.quantity);
  for (const [sku, n] of take) if (stockOf(sku) < n) return { kind: 'reject', sku };
  return { kind: 'brew', take };
}
