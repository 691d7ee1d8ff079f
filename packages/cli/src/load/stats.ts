/**
 * Percentiles from exact samples. The run is bounded by `maxRequests` (at most 1,000,000), so
 * every latency is kept (8 bytes each) and sorted once per window: no bucketing error at all.
 */

export interface LatencySummary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentile of an ascending array; null when empty. Pure. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1]!;
}

/** An ascending copy. */
export function sortedCopy(samples: readonly number[]): Float64Array {
  return Float64Array.from(samples).sort();
}

/** min/mean/p50/p90/p95/p99/max of some samples, rounded to µs; null when empty. */
export function summarize(samples: readonly number[]): LatencySummary | null {
  if (samples.length === 0) return null;
  const s = sortedCopy(samples);
  let sum = 0;
  for (const v of s) sum += v;
  const r = (v: number | null): number => Math.round((v ?? 0) * 1000) / 1000;
  return {
    count: s.length,
    min: r(s[0]!),
    mean: r(sum / s.length),
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p95: r(percentile(s, 95)),
    p99: r(percentile(s, 99)),
    max: r(s[s.length - 1]!),
  };
}

/** Adds one to a counter in a string-keyed tally. */
export function tally(into: Record<string, number>, key: string, by = 1): void {
  into[key] = (into[key] ?? 0) + by;
}
