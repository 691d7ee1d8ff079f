import { usageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Formats ms the way durations are written on the command line: `1.5s`, `2m`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${ms}ms`;
}

/**
 * `--duration` values: a positive number with a unit, `500ms`, `10s`, `1.5s`, `2m` (at most 1 h).
 * Anything else is a usage error saying what to write instead.
 */
export function parseDuration(raw: string, option = '--duration'): number {
  const m = /^(-?\d+(?:\.\d+)?)(ms|s|m)$/.exec(raw.trim());
  if (!m) throw usageError(`chaos: ${option} "${raw}" is not a duration: write a number with a unit, e.g. 500ms, 10s or 2m`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2]!]!);
  if (ms <= 0) throw usageError(`chaos: ${option} must be positive, got "${raw}"`);
  if (ms > 3_600_000) throw usageError(`chaos: ${option} "${raw}" is longer than 1 hour`);
  return ms;
}
