import { usageError } from '../errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const FACTOR: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `'500ms'`, `'5s'`, `'1.5m'`, `'1h'` (or a number of ms) → milliseconds. Throws a usage error
 * (exit 2) naming `what` when the value is malformed, negative, or zero where `allowZero` is false.
 */
export function parseDuration(raw: string | number, what: string, allowZero = false): number {
  let ms: number;
  if (typeof raw === 'number') ms = raw;
  else if (raw.trim() === '0') ms = 0;
  else {
    const m = DURATION.exec(raw.trim());
    ms = m ? Number(m[1]) * FACTOR[m[2]!]! : Number.NaN;
  }
  if (!Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw usageError(`${what} needs a ${allowZero ? '' : 'positive '}duration with a unit, such as 30s or 500ms (got ${JSON.stringify(String(raw))})`);
  }
  return ms;
}

const RATE = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/;

/** `'50'`, `'50/s'`, `'600/m'` (or a number) → arrivals per second; positive. */
export function parseRate(raw: string | number, what: string): number {
  let perSecond = Number.NaN;
  if (typeof raw === 'number') perSecond = raw;
  else {
    const m = RATE.exec(raw.trim());
    if (m) perSecond = Number(m[1]) / (m[2] === 'm' ? 60 : 1);
  }
  if (!Number.isFinite(perSecond) || perSecond <= 0 || perSecond > 10_000) {
    throw usageError(`${what} needs a rate between 0 and 10000 per second, such as 50/s or 600/m (got ${JSON.stringify(String(raw))})`);
  }
  return perSecond;
}

/** A whole number in [min, max]. */
export function parseCount(raw: string | number, what: string, min: number, max: number): number {
  const n = typeof raw === 'number' ? raw : /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usageError(`${what} needs a whole number from ${min} to ${max} (got ${JSON.stringify(String(raw))})`);
  }
  return n;
}

/** `12.345` → `'12.3 ms'`; null → `'-'`. */
export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`;
}

/** A ratio as a percentage: `0.0123` → `'1.23%'`. */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}
