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

/** Replacement for a value removed because of its key (see `MaskOptions.redactKeys`). */
export const REDACTED = '[REDACTED]';

// One pass over the string, alternatives in priority order (a bearer token that is a JWT is
// masked as a bearer token). Groups: 1 bearer scheme, 2 JWT, 3-5 e-mail (first char, `@` or its
// URL encoding `%40` as in logged request paths, domain), 6 card candidate.
// Card candidates: digits with single optional separators and no letter or digit around them,
// so parts of hex identifiers (trace IDs) are never taken for card numbers.
const SENSITIVE = new RegExp(
  [
    String.raw`\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*`,
    String.raw`(\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)`,
    String.raw`(?<![A-Za-z0-9._+-])([A-Za-z0-9])[A-Za-z0-9._+-]*(@|%40)((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})`,
    String.raw`(?<![0-9A-Za-z])(\d(?:[ -]?\d){12,18})(?![0-9A-Za-z])`,
  ].join('|'),
  'gi',
);
/**
 * Cheap pre-check, about half the cost of a SENSITIVE pass: every alternative of SENSITIVE needs
 * one of these (an `@` or `%40`, `eyJ`, `bearer`, or 13 digits with single separators), so a
 * string without any cannot contain anything that is masked. Ids such as trace, span and
 * correlation ids (hex, digits in short runs) and most paths fail it and are left as they are.
 */
const MAYBE_SENSITIVE = /@|%40|eyj|bearer|\d(?:[ -]?\d){12}/i;

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

function replaceSensitive(
  match: string,
  bearer: string | undefined,
  jwt: string | undefined,
  emailFirst: string | undefined,
  emailAt: string | undefined,
  emailDomain: string | undefined,
  card: string | undefined,
): string {
  if (bearer !== undefined) return `${bearer} ${REDACTED}`;
  if (jwt !== undefined) return '[REDACTED_JWT]';
  if (emailFirst !== undefined) return `${emailFirst}***${emailAt ?? '@'}${emailDomain ?? ''}`;
  if (card !== undefined) return maskCard(card);
  return match;
}

/** Masks card numbers, e-mail addresses, bearer credentials and JWTs in `s`. */
export function maskPii(s: string): string {
  if (s.length < 5 || !MAYBE_SENSITIVE.test(s)) return s;
  return s.replace(SENSITIVE, replaceSensitive);
}

const MAX_DEPTH = 10;

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

export interface MaskOptions {
  /** Keys (lower case) whose values are replaced by `[REDACTED]` at any depth, whatever they hold. */
  redactKeys?: ReadonlySet<string>;
}

function deep(value: unknown, depth: number, seen: WeakSet<object>, keys: ReadonlySet<string> | undefined): unknown {
  if (typeof value === 'string') return maskPii(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const masked = deep(value[i], depth + 1, seen, keys);
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
    const masked = v !== undefined && keys?.has(key.toLowerCase()) ? REDACTED : deep(v, depth + 1, seen, keys);
    if (masked !== v) {
      out ??= { ...value };
      out[key] = masked;
    }
  }
  return out ?? value;
}

/**
 * Masks every string inside plain objects and arrays (up to 10 levels deep) and, with
 * `redactKeys`, replaces the values of those keys. Never mutates its input: returns the same
 * reference when nothing changed, else a copy of the changed branches. Class instances (Date,
 * Buffer, Error, ...) are returned as they are.
 */
export function maskPiiDeep<T>(value: T, options: MaskOptions = {}): T {
  return deep(value, 0, new WeakSet(), options.redactKeys) as T;
}
