/**
 * Masks e-mail addresses written percent-encoded (`jane.doe%40example.com`, as a request path
 * forwarded by the gateway carries them), which the platform's `maskPii` does not recognise.
 * Same masked form as `maskPii`, encoding kept: `j***%40example.com`.
 */
const ENCODED_EMAIL = /(?<![A-Za-z0-9._+-])([A-Za-z0-9])(?:[A-Za-z0-9._+-]|%2[bB])*%40((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})/g;

export function maskEncodedPii(s: string): string {
  if (!s.includes('%40')) return s;
  return s.replace(ENCODED_EMAIL, (_m, first: string, domain: string) => `${first}***%40${domain}`);
}

/** Applies `maskEncodedPii` to every string in plain objects and arrays (10 levels), copying only changed branches. */
export function maskEncodedPiiDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskEncodedPii(value);
  if (value === null || typeof value !== 'object' || depth > 10) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const m = maskEncodedPiiDeep(v, depth + 1);
      if (m !== v) (out ??= value.slice())[i] = m;
    });
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const m = maskEncodedPiiDeep(v, depth + 1);
    if (m !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = m;
  }
  return out ?? value;
}
