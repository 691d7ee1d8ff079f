import type { LoadConfig } from './config.js';
import type { ChaosEvent } from './events.js';
import type { JourneyReport, Recorder, TimelinePoint } from './recorder.js';
import type { LatencySummary } from './stats.js';
import { evaluateThresholds, type ThresholdResult } from './thresholds.js';

export const RESULT_SCHEMA = 'brewops.load.result/v1';

/** `result.json`: everything the report shows, and what scripts and CI read. */
export interface LoadResult {
  readonly schema: typeof RESULT_SCHEMA;
  readonly scenario: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** Wall time from the first arrival to the last response (drain included), seconds. */
  readonly elapsedSec: number;
  readonly stoppedBy: 'duration' | 'max-requests' | 'interrupted';
  readonly config: Omit<LoadConfig, 'thresholds'> & { readonly thresholds: readonly string[] };
  /** How percentiles are computed. */
  readonly percentiles: string;
  readonly totals: {
    readonly requests: number;
    readonly ok: number;
    readonly errors: number;
    readonly errorRatio: number;
    readonly errorsByType: Readonly<Record<string, number>>;
    /** Arrivals that could not start (open model). */
    readonly dropped: number;
    readonly droppedRatio: number;
    readonly journeysStarted: number;
    /** Requests still running when the drain ended; cancelled, counted nowhere else. */
    readonly abortedAtEnd: number;
    /** Requests per second over `elapsedSec`. */
    readonly throughput: number;
    /** Time to response headers of every request that got a response (any status), ms. */
    readonly latencyMs: LatencySummary | null;
  };
  /** One point per second: `requests` is the throughput of that second. */
  readonly timeline: readonly TimelinePoint[];
  readonly journeys: readonly JourneyReport[];
  readonly thresholds: readonly ThresholdResult[];
  /** Every threshold met. */
  readonly passed: boolean;
  readonly events: readonly ChaosEvent[];
}

export interface RunFacts {
  readonly config: LoadConfig;
  readonly startedAtEpochMs: number;
  readonly elapsedMs: number;
  readonly stoppedBy: LoadResult['stoppedBy'];
  readonly abortedAtEnd: number;
  readonly events: readonly ChaosEvent[];
}

const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** The result of a finished run. */
export function buildResult(rec: Recorder, f: RunFacts): LoadResult {
  const journeysStarted = rec.journeyReports().reduce((s, j) => s + j.started, 0);
  const errorRatio = rec.requests === 0 ? 0 : rec.errors / rec.requests;
  const arrivals = journeysStarted + rec.dropped;
  const droppedRatio = arrivals === 0 ? 0 : rec.dropped / arrivals;
  // an empty run has breached every threshold: nothing was shown to work
  const thresholds = evaluateThresholds(f.config.thresholds, {
    latency: (p) => rec.latency(p),
    errorRatio: rec.requests === 0 ? 1 : errorRatio,
    droppedRatio,
  });
  const { thresholds: ts, ...config } = f.config;
  return {
    schema: RESULT_SCHEMA,
    scenario: f.config.scenario,
    startedAt: new Date(f.startedAtEpochMs).toISOString(),
    endedAt: new Date(f.startedAtEpochMs + f.elapsedMs).toISOString(),
    elapsedSec: round(f.elapsedMs / 1000, 3),
    stoppedBy: f.stoppedBy,
    config: { ...config, thresholds: ts.map((t) => t.source) },
    percentiles: 'exact: every latency kept and sorted, nearest-rank percentiles (the run is bounded by maxRequests)',
    totals: {
      requests: rec.requests,
      ok: rec.requests - rec.errors,
      errors: rec.errors,
      errorRatio: round(errorRatio, 6),
      errorsByType: { ...rec.errorsByType },
      dropped: rec.dropped,
      droppedRatio: round(droppedRatio, 6),
      journeysStarted,
      abortedAtEnd: f.abortedAtEnd,
      throughput: round(f.elapsedMs > 0 ? rec.requests / (f.elapsedMs / 1000) : 0, 2),
      latencyMs: rec.latencySummary(),
    },
    timeline: rec.timeline(Math.ceil(f.config.durationMs / 1000)),
    journeys: rec.journeyReports(),
    thresholds,
    passed: thresholds.every((t) => t.passed),
    events: f.events,
  };
}
