/** The menu; prices in cents. */
export interface MenuItem {
  readonly sku: string;
  readonly name: string;
  readonly priceCents: number;
}

export const MENU: readonly MenuItem[] = [
  { sku: 'espresso', name: 'Espresso', priceCents: 250 },
  { sku: 'flat-white', name: 'Flat white', priceCents: 380 },
  { sku: 'cappuccino', name: 'Cappuccino', priceCents: 360 },
  { sku: 'filter', name: 'Filter coffee', priceCents: 300 },
  { sku: 'cold-brew', name: 'Cold brew (seasonal)', priceCents: 420 },
];

const BY_SKU = new Map(MENU.map((m) => [m.sku, m]));

export function findMenuItem(sku: string): MenuItem | undefined {
  return BY_SKU.get(sku);
}
