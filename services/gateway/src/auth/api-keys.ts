import { hash } from 'node:crypto';
import { AppError } from '@brewops/platform';
import type { Principal } from './principal.js';

/**
 * One entry of the keys file. Only the SHA-256 of a key is stored; the key itself lives with
 * its holder (e.g. `.brewops/secrets/dev-api-key`, mode 0600).
 * ```json
 * { "keys": [ { "id": "dev", "sha256": "<hex>", "services": ["*"],
 *               "rate": { "perSecond": 50, "burst": 100 }, "expiresAt": "2027-01-01T00:00:00Z", "disabled": false } ] }
 * ```
 */
export interface ApiKeyEntry {
  readonly id: string;
  readonly sha256: string;
  readonly services?: readonly string[];
  readonly rate?: { readonly perSecond: number; readonly burst: number };
  readonly expiresAt?: string;
  readonly disabled?: boolean;
}

/** One-shot `crypto.hash`: no Hash object per call (it runs once per API-key request). */
export const sha256Hex = (s: string): string => hash('sha256', s, 'hex');

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses and validates a keys document; throws naming the bad entry. */
export function parseKeysFile(text: string): ApiKeyEntry[] {
  const doc = JSON.parse(text) as { keys?: unknown };
  if (!Array.isArray(doc.keys)) throw new Error('keys file: "keys" must be an array');
  return doc.keys.map((k: unknown, i) => {
    const e = k as Partial<ApiKeyEntry>;
    if (typeof e.id !== 'string' || e.id === '') throw new Error(`keys file: keys[${i}].id must be a string`);
    if (typeof e.sha256 !== 'string' || !HEX64.test(e.sha256)) throw new Error(`keys file: keys[${i}].sha256 must be 64 lowercase hex characters`);
    if (e.expiresAt !== undefined && Number.isNaN(Date.parse(e.expiresAt))) throw new Error(`keys file: keys[${i}].expiresAt is not a date`);
    return e as ApiKeyEntry;
  });
}

/** What a key verifies to, worked out once per keys-file load instead of on every request. */
interface Verified {
  readonly entry: ApiKeyEntry;
  readonly principal: Principal;
  readonly expiresAtMs: number;
}

/**
 * Looks API keys up by their SHA-256. Each entry's outcome (principal, expiry as a number) is
 * computed when the keys are loaded, so a request costs one SHA-256 of the presented key and one
 * map lookup. A hit needs no further comparison: the map is keyed by the full digest, and its
 * timing tells nothing usable about a key (finding a key from digest prefixes needs preimages).
 */
export class ApiKeyStore {
  private readonly byHash: Map<string, Verified>;

  constructor(entries: readonly ApiKeyEntry[]) {
    this.byHash = new Map(entries.map((e) => [e.sha256, {
      entry: e,
      principal: Object.freeze({ kind: 'api_key', id: `key:${e.id}`, services: e.services ?? ['*'], ...(e.rate ? { rate: e.rate } : {}) }),
      expiresAtMs: e.expiresAt === undefined ? Infinity : Date.parse(e.expiresAt),
    } satisfies Verified]));
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The principal for `key`, or a 401/403 AppError with a code. */
  authenticate(key: string, now = Date.now()): Principal {
    const found = this.byHash.get(sha256Hex(key));
    if (found === undefined) {
      throw new AppError({ status: 401, code: 'invalid_api_key', message: 'API key is not valid', headers: { 'www-authenticate': 'ApiKey' } });
    }
    if (found.entry.disabled === true) throw new AppError({ status: 403, code: 'api_key_disabled', message: 'API key is disabled' });
    if (found.expiresAtMs <= now) {
      throw new AppError({ status: 401, code: 'api_key_expired', message: 'API key has expired', headers: { 'www-authenticate': 'ApiKey' } });
    }
    return found.principal;
  }
}
