import { z } from '@brewops/platform';

/** Smallest window: two scrapes of the local stack's Prometheus (`scrape_interval: 5s`); `increase` needs two samples. */
export const MIN_WINDOW_MS = 10_000;

const DURATION = /^(\d+(ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A PromQL duration (`30s`, `1m30s`, `500ms`) in ms; `NaN` if it is not one. */
export function parseDurationMs(d: string): number {
  if (!DURATION.test(d)) return Number.NaN;
  let ms = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms;
}

/**
 * The controller's rules and thresholds, on top of the platform's keys. Layers:
 * config/services/controller.yaml (none yet: defaults apply); applied live, no restart.
 */
export const configShape = {
  /** Decide and record, but change nothing (no override, no restart). Env `CONTROLLER_DRY_RUN=true` forces it on. @default false */
  dryRun: z.boolean().default(false),
  /**
   * Alerts that say an instance is unreachable: ignored while the controller's own probe of it
   * succeeded within the last second (they arrive seconds late, often about a process already
   * replaced). @default ["BrewopsInstanceDown"]
   */
  unreachableAlerts: z.array(z.string().min(1)).default(['BrewopsInstanceDown']),
  /** Services never watched or acted on (the controller's own service is always skipped). @default [] */
  ignoreServices: z.array(z.string().min(1)).default([]),
  probe: z
    .object({
      /** Period of the active `/health/ready` probe of every registered instance, ms. @default 250 */
      intervalMs: z.number().int().min(50).max(60_000).default(250),
      /** Probe timeout, ms; a timeout counts as a failed probe. @default 300 */
      timeoutMs: z.number().int().min(20).max(30_000).default(300),
    })
    .strict()
    .prefault({}),
  traffic: z
    .object({
      /** Period of reading every instance's own /metrics (its user-route request counters), ms. @default 1000 */
      intervalMs: z.number().int().min(100).max(60_000).default(1000),
      /** Sliding window the error ratio and mean latency are computed over, ms. @default 3000 */
      windowMs: z.number().int().min(500).max(600_000).default(3000),
      /** Fewer requests than this in the window: no verdict (idle instances say nothing). @default 5 */
      minRequests: z.number().int().min(1).max(1_000_000).default(5),
      /** A higher share of 5xx answers in the window is a failure signal (`error_ratio`; also the threshold of `prom_error_ratio`). @default 0.5 */
      maxErrorRatio: z.number().min(0).max(1).default(0.5),
      /** A higher mean latency in the window is a failure signal (`latency`; also the threshold of `prom_latency`), ms. @default 1000 */
      maxMeanLatencyMs: z.number().int().min(1).max(600_000).default(1000),
      /** Resident memory above this is a failure signal (`memory`: a leak), MB. @default 768 */
      maxRssMb: z.number().int().min(16).max(1_048_576).default(768),
    })
    .strict()
    .prefault({}),
  /**
   * The Prometheus signal (`prom_error_ratio`, `prom_latency`; src/prometheus-signal.ts): the same
   * 5xx share and mean latency as `traffic`, from Prometheus' series of each instance. Slower than
   * the direct read (scrape interval + window) but it needs no route to the instance and matches
   * the dashboards. Thresholds are `traffic.maxErrorRatio` and `traffic.maxMeanLatencyMs`.
   */
  prometheus: z
    .object({
      /** Query Prometheus at all; off clears the signals it raised. @default true */
      enabled: z.boolean().default(true),
      /** Prometheus' base URL (the HTTP API is `<url>/api/v1/query`). @default env `PROMETHEUS_URL`, else http://127.0.0.1:9090 (the stack's Prometheus) */
      url: z.string().url().default(process.env['PROMETHEUS_URL'] ?? 'http://127.0.0.1:9090'),
      /** Period of the queries (three instant queries for all instances at once), ms. @default 5000 */
      intervalMs: z.number().int().min(1000).max(600_000).default(5000),
      /** Timeout of each query (sent to Prometheus too), ms. @default 2000 */
      timeoutMs: z.number().int().min(100).max(60_000).default(2000),
      /**
       * PromQL range the ratio and mean latency are computed over (`30s`, `1m`). At least 2× the
       * scrape interval (`increase` needs two samples; the stack scrapes every 5 s), so ≥ 10s. An
       * instance is judged only once a whole window lies after its registration and its last time
       * out of traffic (reroute, restart, reinstatement). @default "30s"
       */
      window: z
        .string()
        .refine((d) => parseDurationMs(d) >= MIN_WINDOW_MS, { message: `a PromQL duration of at least ${MIN_WINDOW_MS / 1000}s, e.g. "30s" or "1m"` })
        .default('30s'),
      /** Fewer user requests than this in the window: no verdict (idle instances say nothing). @default 10 */
      minRequests: z.number().int().min(1).max(1_000_000).default(10),
    })
    .strict()
    .prefault({}),
  rules: z
    .object({
      /** Consecutive failed probes that make a healthy instance suspect (opens an incident). @default 2 */
      suspectAfterFailures: z.number().int().min(1).max(100).default(2),
      /** Consecutive failed probes after which a suspect instance is rerouted (lease loss or a critical alert reroutes at once). @default 3 */
      rerouteAfterFailures: z.number().int().min(1).max(100).default(3),
      /** A rerouted instance not ready again within this time is restarted, ms. @default 2000 */
      restartAfterMs: z.number().int().min(0).max(600_000).default(2000),
      /** Consecutive ready probes that prove recovery before the instance is reinstated. @default 2 */
      recoverAfterSuccesses: z.number().int().min(1).max(100).default(2),
      /** A restarted instance not ready within this time counts as a failed restart, ms. @default 20000 */
      recoveryTimeoutMs: z.number().int().min(100).max(600_000).default(20_000),
      /**
       * After reinstatement the instance is back in traffic but its incident stays open
       * (`verifying`) this long: a failed probe streak, a lease loss, an alert or a traffic signal
       * (error ratio, latency) within it records the recovery as failed and reroutes it again.
       * 0: no window (reinstated = recovered). Keep it at least `traffic.windowMs` so the error
       * ratio and latency were judged on traffic served after reinstatement, ms. @default 5000
       */
      verifyWindowMs: z.number().int().min(0).max(600_000).default(5000),
    })
    .strict()
    .prefault({}),
  backoff: z
    .object({
      /** Delay before the 2nd restart within `windowMs`, doubled for each further one, ms. @default 1000 */
      baseDelayMs: z.number().int().min(0).max(600_000).default(1000),
      /** Upper bound of that delay, ms. @default 30000 */
      maxDelayMs: z.number().int().min(0).max(3_600_000).default(30_000),
      /** Restarts of one instance within `windowMs` after which it is left rerouted and flagged. @default 3 */
      maxRestarts: z.number().int().min(1).max(100).default(3),
      /** Sliding window of that count, ms. @default 600000 (10 min) */
      windowMs: z.number().int().min(1000).max(86_400_000).default(600_000),
    })
    .strict()
    .prefault({}),
  safety: z
    .object({
      /** Largest share of a service's instances out of service at once (rerouted, restarting, recovering), 0..1. @default 0.5 */
      maxOutShare: z.number().min(0).max(1).default(0.5),
      /** Global limit on reroutes and restarts: sustained rate per minute. @default 12 */
      actionsPerMinute: z.number().positive().max(6000).default(12),
      /** Global limit: burst. @default 6 */
      actionBurst: z.number().int().min(1).max(1000).default(6),
    })
    .strict()
    .prefault({}),
  /** Closed incidents kept for `GET /v1/incidents`. @default 200 */
  incidentHistory: z.number().int().min(1).max(10_000).default(200),
};

export interface ProbeConfig {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface TrafficConfig {
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly minRequests: number;
  readonly maxErrorRatio: number;
  readonly maxMeanLatencyMs: number;
  readonly maxRssMb: number;
}

export interface PrometheusSignalConfig {
  readonly enabled: boolean;
  readonly url: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly window: string;
  readonly minRequests: number;
}

export interface RulesConfig {
  readonly suspectAfterFailures: number;
  readonly rerouteAfterFailures: number;
  readonly restartAfterMs: number;
  readonly recoverAfterSuccesses: number;
  readonly recoveryTimeoutMs: number;
  readonly verifyWindowMs: number;
}

export interface BackoffConfig {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRestarts: number;
  readonly windowMs: number;
}

export interface SafetyConfig {
  readonly maxOutShare: number;
  readonly actionsPerMinute: number;
  readonly actionBurst: number;
}

export interface ControllerConfig {
  readonly dryRun: boolean;
  readonly ignoreServices: readonly string[];
  readonly unreachableAlerts: readonly string[];
  readonly probe: ProbeConfig;
  readonly traffic: TrafficConfig;
  readonly prometheus: PrometheusSignalConfig;
  readonly rules: RulesConfig;
  readonly backoff: BackoffConfig;
  readonly safety: SafetyConfig;
  readonly incidentHistory: number;
}
