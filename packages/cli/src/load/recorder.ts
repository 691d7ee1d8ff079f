import { percentile, sortedCopy, summarize, tally, type LatencySummary } from './stats.js';
import type { JourneyName } from './types.js';

/**
 * How a request ended. Errors are typed for the report: `status_<code>` (an unexpected HTTP
 * status), `timeout`, `connection` (refused, reset, closed) or `other`.
 */
export type Outcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface RequestSample {
  readonly journey: JourneyName;
  readonly step: string;
  /** Milliseconds since the run started, when the request was sent. */
  readonly startedAt: number;
  /** Time to response headers, ms; null when no response came (timeout, connection). */
  readonly latencyMs: number | null;
  /** Milliseconds since the run started, when the request finished (a stream: when it ended). */
  readonly endedAt: number;
  readonly outcome: Outcome;
  /** For a followed stream: ms from the request to the terminal event. */
  readonly streamMs?: number;
}

interface Window {
  requests: number;
  errors: number;
  errorsByType: Record<string, number>;
  dropped: number;
  started: number;
  latencies: number[];
}

interface StepStats {
  requests: number;
  errors: number;
  errorsByType: Record<string, number>;
  latencies: number[];
  streams: number[];
}

export interface TimelinePoint {
  /** Second of the run (0 = the first second). */
  readonly t: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorsByType: Readonly<Record<string, number>>;
  readonly dropped: number;
  /** Journeys started in this second. */
  readonly started: number;
  /** Latency percentiles of the requests that finished in this second, ms; null when none did. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
}

export interface StepReport {
  readonly step: string;
  readonly requests: number;
  readonly errors: number;
  readonly errorsByType: Readonly<Record<string, number>>;
  readonly latencyMs: LatencySummary | null;
  /** Streams only: time to the terminal status. */
  readonly streamMs?: LatencySummary | null;
}

export interface JourneyReport {
  readonly journey: JourneyName;
  readonly started: number;
  readonly completed: number;
  readonly failed: number;
  readonly steps: readonly StepReport[];
}

/** Collects every request of a run: per-second windows, per journey step, and the whole run. */
export class Recorder {
  private readonly windows: Window[] = [];
  private readonly steps = new Map<string, StepStats>();
  private readonly journeys = new Map<JourneyName, { started: number; completed: number; failed: number }>();
  private readonly all: number[] = [];
  private sortedAll: Float64Array | null = null;
  readonly errorsByType: Record<string, number> = {};
  requests = 0;
  errors = 0;
  dropped = 0;

  private window(atMs: number): Window {
    const i = Math.max(0, Math.floor(atMs / 1000));
    while (this.windows.length <= i) this.windows.push({ requests: 0, errors: 0, errorsByType: {}, dropped: 0, started: 0, latencies: [] });
    return this.windows[i]!;
  }

  private journey(name: JourneyName): { started: number; completed: number; failed: number } {
    let j = this.journeys.get(name);
    if (!j) this.journeys.set(name, (j = { started: 0, completed: 0, failed: 0 }));
    return j;
  }

  journeyStarted(name: JourneyName, atMs: number): void {
    this.journey(name).started++;
    this.window(atMs).started++;
  }

  journeyEnded(name: JourneyName, failed: boolean): void {
    const j = this.journey(name);
    if (failed) j.failed++;
    else j.completed++;
  }

  /** An arrival that could not start (too many in flight, or the scheduler fell behind). */
  arrivalDropped(atMs: number): void {
    this.dropped++;
    this.window(atMs).dropped++;
  }

  request(s: RequestSample): void {
    this.sortedAll = null;
    this.requests++;
    const w = this.window(s.endedAt);
    w.requests++;
    const key = `${s.journey}\u0000${s.step}`;
    let st = this.steps.get(key);
    if (!st) this.steps.set(key, (st = { requests: 0, errors: 0, errorsByType: {}, latencies: [], streams: [] }));
    st.requests++;
    if (s.latencyMs !== null) {
      w.latencies.push(s.latencyMs);
      st.latencies.push(s.latencyMs);
      this.all.push(s.latencyMs);
    }
    if (s.streamMs !== undefined) st.streams.push(s.streamMs);
    if (!s.outcome.ok) {
      this.errors++;
      w.errors++;
      st.errors++;
      tally(w.errorsByType, s.outcome.error);
      tally(st.errorsByType, s.outcome.error);
      tally(this.errorsByType, s.outcome.error);
    }
  }

  /** Whole-run latency percentile, ms (responses of any status; no response: not counted). */
  latency(p: number): number | null {
    this.sortedAll ??= sortedCopy(this.all);
    return percentile(this.sortedAll, p);
  }

  latencySummary(): LatencySummary | null {
    return summarize(this.all);
  }

  /** The figures of one second so far (for the live progress line). */
  second(t: number): { requests: number; errors: number; dropped: number; p95: number | null } {
    const w = this.windows[t];
    if (!w) return { requests: 0, errors: 0, dropped: 0, p95: null };
    return { requests: w.requests, errors: w.errors, dropped: w.dropped, p95: percentile(sortedCopy(w.latencies), 95) };
  }

  /** One point per second, from 0 to `seconds - 1` (windows past it are folded into the last). */
  timeline(seconds: number): TimelinePoint[] {
    const n = Math.max(1, seconds, this.windows.length);
    const out: TimelinePoint[] = [];
    for (let t = 0; t < n; t++) {
      const w = this.windows[t] ?? { requests: 0, errors: 0, errorsByType: {}, dropped: 0, started: 0, latencies: [] };
      const s = sortedCopy(w.latencies);
      const r = (v: number | null): number => Math.round((v ?? 0) * 1000) / 1000;
      out.push({
        t,
        requests: w.requests,
        errors: w.errors,
        errorsByType: { ...w.errorsByType },
        dropped: w.dropped,
        started: w.started,
        latencyMs: s.length === 0 ? null : { p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)) },
      });
    }
    return out;
  }

  journeyReports(): JourneyReport[] {
    const out: JourneyReport[] = [];
    for (const [journey, j] of this.journeys) {
      const steps: StepReport[] = [];
      for (const [key, st] of this.steps) {
        const [jn, step] = key.split('\u0000') as [string, string];
        if (jn !== journey) continue;
        steps.push({
          step,
          requests: st.requests,
          errors: st.errors,
          errorsByType: { ...st.errorsByType },
          latencyMs: summarize(st.latencies),
          ...(st.streams.length > 0 ? { streamMs: summarize(st.streams) } : {}),
        });
      }
      out.push({ journey, ...j, steps });
    }
    return out;
  }
}
