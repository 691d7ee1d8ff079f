import { semconv } from '@brewops/platform';

/** Cumulative request counters of one instance, read from its `/metrics`. */
export interface RequestTotals {
  readonly requests: number;
  readonly errors: number;
  /** Sum of request durations, seconds. */
  readonly seconds: number;
}

/** What one window of an instance's traffic looked like. */
export interface WindowStats {
  readonly requests: number;
  readonly errorRatio: number;
  readonly meanLatencyMs: number;
}

export interface StatsThresholds {
  /** Evaluated only with at least this many requests in the window (idle instances say nothing). */
  readonly minRequests: number;
  /** Above this share of 5xx answers the instance counts as failing. */
  readonly maxErrorRatio: number;
  /** Above this mean latency, ms, the instance counts as slow. */
  readonly maxMeanLatencyMs: number;
}

const COUNT = `${semconv.METRIC_HTTP_SERVER_DURATION}_count{`;
const SUM = `${semconv.METRIC_HTTP_SERVER_DURATION}_sum{`;
/** Platform endpoints: the controller's own probes and Prometheus' scrapes are not user traffic. */
const PLATFORM_ROUTE = /route="(\/metrics|\/health\/[^"]*)"/;

/**
 * 5xx answers that are the instance's own failure. 502/503/504 say an upstream failed or was
 * unavailable (a gateway or caller passing it on): counting them would reroute healthy callers.
 */
const OWN_FAILURE = /status_code="5(?!0[234])\d\d"/;

/**
 * Sums the RED histogram of a Prometheus text exposition over user routes: request count, 5xx
 * count and total duration. Lines of other metrics are skipped; a malformed value counts as 0.
 */
export function parseRequestTotals(exposition: string): RequestTotals {
  let requests = 0;
  let errors = 0;
  let seconds = 0;
  for (const line of exposition.split('\n')) {
    const isCount = line.startsWith(COUNT);
    if (!isCount && !line.startsWith(SUM)) continue;
    if (PLATFORM_ROUTE.test(line)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (!Number.isFinite(value)) continue;
    if (!isCount) {
      seconds += value;
      continue;
    }
    requests += value;
    if (OWN_FAILURE.test(line)) errors += value;
  }
  return { requests, errors, seconds };
}

/**
 * Samples of one instance's counters over a sliding window, and the error ratio and mean
 * latency between the oldest and the newest sample. Counters that go down (a new process)
 * start the window again. Pure: the clock is passed in.
 */
export class RequestWindow {
  private samples: Array<{ at: number; totals: RequestTotals }> = [];

  constructor(private readonly windowMs: () => number) {}

  push(totals: RequestTotals, now: number): void {
    const last = this.samples.at(-1);
    if (last && (totals.requests < last.totals.requests || totals.errors < last.totals.errors)) this.samples = [];
    this.samples.push({ at: now, totals });
    const from = now - this.windowMs();
    // keep one sample at or before the window's start, so the window is covered
    while (this.samples.length > 2 && this.samples[1]!.at <= from) this.samples.shift();
  }

  reset(): void {
    this.samples = [];
  }

  stats(): WindowStats | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || first === last) return undefined;
    const requests = last.totals.requests - first.totals.requests;
    if (requests <= 0) return { requests: 0, errorRatio: 0, meanLatencyMs: 0 };
    return {
      requests,
      errorRatio: (last.totals.errors - first.totals.errors) / requests,
      meanLatencyMs: ((last.totals.seconds - first.totals.seconds) / requests) * 1000,
    };
  }
}

/** The two signals the window gives: `undefined` = not enough traffic to say. */
export function judge(s: WindowStats | undefined, t: StatsThresholds): { errors: boolean; slow: boolean } | undefined {
  if (!s || s.requests < t.minRequests) return undefined;
  return { errors: s.errorRatio > t.maxErrorRatio, slow: s.meanLatencyMs > t.maxMeanLatencyMs };
}

/** Resident memory from the process collector of prom-client (`process_resident_memory_bytes`), MB. */
export function parseRssMb(exposition: string): number | undefined {
  const m = /^process_resident_memory_bytes (\S+)$/m.exec(exposition);
  const bytes = m ? Number(m[1]) : Number.NaN;
  return Number.isFinite(bytes) ? bytes / 1024 / 1024 : undefined;
}
