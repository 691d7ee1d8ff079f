/**
 * Value-pattern masking of personal data and secrets in free text. Pure functions, shared by the
 * logger (before a line leaves the process) and the collector (defence in depth).
 *
 * Masked forms:
 * - payment card numbers (13-19 digits, spaces or dashes allowed, Luhn-valid): `**** **** **** 1111`
 * - e-mail addresses: first character and domain kept, `j***@example.com`
 * - bearer credentials: `Bearer [REDACTED]`
 * - JWT-looking strings (`eyJ...eyJ...sig`): `[REDACTED_JWT]`
 */

/** Replacement for a value removed by key (pino `redact`). */
export const REDACTED = '[REDACTED]';

// Digits with single optional separators; no letter or digit directly around it, so parts of
// hex identifiers (trace IDs) are never taken for card numbers.
const CARD = /(?<![0-9A-Za-z])\d(?:[ -]?\d){12,18}(?![0-9A-Za-z])/g;
const EMAIL = /(?<![A-Za-z0-9._+-])([A-Za-z0-9])[A-Za-z0-9._+-]*@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g;
/** Cheap pre-check: a string with none of these cannot contain anything that is masked. */
const MAYBE_SENSITIVE = /\d|@|eyJ|bearer/i;

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function maskCard(match: string): string {
  const digits = match.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
  return `**** **** **** ${digits.slice(-4)}`;
}

/** Masks card numbers, e-mail addresses, bearer credentials and JWTs in `s`. */
export function maskPii(s: string): string {
  if (s.length < 5 || !MAYBE_SENSITIVE.test(s)) return s;
  return s
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(JWT, '[REDACTED_JWT]')
    .replace(EMAIL, '$1***@$2')
    .replace(CARD, maskCard);
}

const MAX_DEPTH = 10;

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function deep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const masked = deep(value[i], depth + 1, seen);
      if (masked !== value[i]) {
        out ??= value.slice();
        out[i] = masked;
      }
    }
    return out ?? value;
  }
  if (!isPlainObject(value)) return value;
  seen.add(value);
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const v = value[key];
    const masked = deep(v, depth + 1, seen);
    if (masked !== v) {
      out ??= { ...value };
      out[key] = masked;
    }
  }
  return out ?? value;
}

/**
 * Masks every string inside plain objects and arrays (up to 10 levels deep). Never mutates its
 * input: returns the same reference when nothing changed, else a copy of the changed branches.
 * Class instances (Date, Buffer, Error, ...) are returned as they are.
 */
export function maskPiiDeep<T>(value: T): T {
  return deep(value, 0, new WeakSet()) as T;
}
