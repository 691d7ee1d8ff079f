import { usageError } from '../errors.js';
import { formatMs, formatPercent } from './units.js';

/** What a threshold bounds: a latency percentile (ms), the error ratio, or the dropped ratio. */
export type ThresholdMetric =
  | { readonly kind: 'latency'; readonly percentile: number }
  | { readonly kind: 'errors' }
  | { readonly kind: 'dropped' };

export interface Threshold {
  /** As written: `p95<300ms`. */
  readonly source: string;
  readonly metric: ThresholdMetric;
  readonly op: '<' | '<=';
  /** Milliseconds for latency, a ratio (0..1) for errors and dropped. */
  readonly limit: number;
}

export interface ThresholdResult {
  readonly threshold: string;
  /** Milliseconds (latency) or a ratio (errors, dropped); null when nothing was measured. */
  readonly observed: number | null;
  readonly limit: number;
  readonly passed: boolean;
}

/** The figures thresholds are checked against. */
export interface ThresholdInputs {
  /** Latency at a percentile over the whole run, ms; null when no request got a response. */
  latency(percentile: number): number | null;
  readonly errorRatio: number;
  readonly droppedRatio: number;
}

const FORM = /^(p\d{1,2}(?:\.\d+)?|errors|dropped)\s*(<=|<)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?$/;
const HINT = 'use e.g. p95<300ms, p99<1s, errors<1%, dropped<5%';

function parseOne(text: string): Threshold {
  const m = FORM.exec(text.trim());
  if (!m) throw usageError(`load: malformed threshold "${text}" (${HINT})`);
  const [, name, op, num, unit] = m as unknown as [string, string, '<' | '<=', string, string | undefined];
  const value = Number(num);
  if (name.startsWith('p')) {
    const percentile = Number(name.slice(1));
    if (!(percentile > 0 && percentile < 100)) throw usageError(`load: threshold "${text}": the percentile must be between 0 and 100`);
    if (unit !== 'ms' && unit !== 's') throw usageError(`load: threshold "${text}" needs a time unit, ms or s (${HINT})`);
    return { source: text.trim(), metric: { kind: 'latency', percentile }, op, limit: unit === 's' ? value * 1000 : value };
  }
  if (unit === 'ms' || unit === 's') throw usageError(`load: threshold "${text}": ${name} is a ratio, write it as a percentage such as ${name}<1%`);
  const ratio = unit === '%' ? value / 100 : value;
  if (ratio > 1) throw usageError(`load: threshold "${text}": ${name} must be at most 100%`);
  return { source: text.trim(), metric: { kind: name as 'errors' | 'dropped' }, op, limit: ratio };
}

/** `'p95<300ms,p99<800ms,errors<1%'` (or a list of them) → thresholds; malformed input exits 2. */
export function parseThresholds(spec: string | readonly string[]): Threshold[] {
  const parts = (typeof spec === 'string' ? [spec] : spec).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw usageError(`load: --threshold is empty (${HINT})`);
  return parts.map(parseOne);
}

/** Checks every threshold. A latency threshold with no measured response fails. Pure. */
export function evaluateThresholds(thresholds: readonly Threshold[], inputs: ThresholdInputs): ThresholdResult[] {
  return thresholds.map((t) => {
    const observed = t.metric.kind === 'latency' ? inputs.latency(t.metric.percentile)
      : t.metric.kind === 'errors' ? inputs.errorRatio : inputs.droppedRatio;
    const passed = observed !== null && (t.op === '<' ? observed < t.limit : observed <= t.limit);
    return { threshold: t.source, observed, limit: t.limit, passed };
  });
}

/** `p95<300ms: 12.3 ms` — the observed figure in the threshold's own unit. */
export function describeObserved(r: ThresholdResult): string {
  if (r.observed === null) return 'no data';
  return /^p/.test(r.threshold) ? formatMs(r.observed) : formatPercent(r.observed);
}
