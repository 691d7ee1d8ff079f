import type { RateLimitConfig } from '@brewops/platform';
import type { Principal } from '../auth/principal.js';

/** One token-bucket limit: refill per second and bucket size. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/** The limits that apply when neither the config nor the keys file says otherwise (from the env). */
export interface RateLimitDefaults {
  /** Per API key or token subject. */
  readonly key: Rate;
  /** Per client address, for requests without credentials. */
  readonly anonymous: Rate;
}

/** Config entry names under `rateLimits` the gateway reads (besides principal ids such as `key:dev`). */
export const RATE_PER_KEY = 'perKey';
export const RATE_PER_IP = 'perIp';

/** Where the limit of a request came from (for the 429 message and tests). */
export type RateSource = 'config:principal' | 'keys-file' | `config:${typeof RATE_PER_KEY}` | `config:${typeof RATE_PER_IP}` | 'env';

export const toRate = (c: RateLimitConfig): Rate => ({ perSecond: c.requestsPerSecond, burst: c.burst ?? Math.max(1, Math.ceil(c.requestsPerSecond)) });

/**
 * The limit of one principal, most specific first:
 * 1. `rateLimits["<principal id>"]` in the live config (`key:<id>`, `jwt:<sub>`, `ip:<address>`);
 * 2. the key's own `rate` in the keys file;
 * 3. `rateLimits.perKey` (API keys and token subjects) or `rateLimits.perIp` (no credentials);
 * 4. the env defaults.
 * `config` is read on every call, so a pushed change applies to the next request. Pure.
 */
export function rateFor(p: Principal, config: Readonly<Record<string, RateLimitConfig>>, defaults: RateLimitDefaults): { rate: Rate; source: RateSource } {
  const own = config[p.id];
  if (own !== undefined) return { rate: toRate(own), source: 'config:principal' };
  if (p.rate !== undefined) return { rate: p.rate, source: 'keys-file' };
  if (p.kind === 'anonymous') {
    const ip = config[RATE_PER_IP];
    return ip !== undefined ? { rate: toRate(ip), source: 'config:perIp' } : { rate: defaults.anonymous, source: 'env' };
  }
  const key = config[RATE_PER_KEY];
  return key !== undefined ? { rate: toRate(key), source: 'config:perKey' } : { rate: defaults.key, source: 'env' };
}
