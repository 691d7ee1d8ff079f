/** Who made a request, once authenticated; the rate limit applies per principal. */
export interface Principal {
  readonly kind: 'api_key' | 'jwt' | 'anonymous';
  /** `key:<id>`, `jwt:<sub>` or `ip:<address>`: the rate-limit bucket. */
  readonly id: string;
  /** Services it may call; `*` for all. */
  readonly services: readonly string[];
  /** Per-principal limit overriding the default. */
  readonly rate?: { readonly perSecond: number; readonly burst: number };
}

export function mayCall(p: Principal, service: string): boolean {
  return p.services.includes('*') || p.services.includes(service);
}
