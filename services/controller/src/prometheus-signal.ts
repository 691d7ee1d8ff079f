import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { semconv } from '@brewops/platform';
import { parseDurationMs } from './config.js';
import type { PrometheusSignalConfig as PrometheusConfig } from './config.js';
import { judge } from './request-stats.js';
import type { StatsThresholds } from './request-stats.js';

/** Outcome of one HTTP query to Prometheus, the `result` label of `..._prometheus_queries_total`. */
export type QueryResult = 'ok' | 'error' | 'timeout' | 'unreachable';

/** One instance the caller wants judged, and since when its current process has been in traffic. */
export interface PrometheusTarget {
  readonly service: string;
  readonly instanceId: string;
  /**
   * Epoch ms after which every request in Prometheus' series for this instance ID belongs to the
   * current process in traffic: the later of its registration and its last time out of traffic
   * (rerouted, restarting, reinstated, held, lease lost). `NaN` when unknown: never judged.
   */
  readonly since: number;
}

export interface PrometheusVerdict {
  readonly service: string;
  readonly instanceId: string;
  readonly errors: boolean;
  readonly slow: boolean;
  readonly requests: number;
  readonly errorRatio: number;
  readonly meanLatencyMs: number;
}

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface PrometheusSignalDeps {
  readonly config: () => { readonly prometheus: PrometheusConfig; readonly traffic: Pick<StatsThresholds, 'maxErrorRatio' | 'maxMeanLatencyMs'> };
  /** Instances to judge (the engine's, in traffic); results for any other instance ID are dropped. */
  readonly targets: () => readonly PrometheusTarget[];
  /** A verdict for one instance: raise or clear its `prom_*` signals. */
  readonly verdict: (v: PrometheusVerdict) => void;
  /** Signals of every target are cleared when the source is switched off (`prometheus.enabled: false`). */
  readonly clear: (service: string, instanceId: string) => void;
  /** Only the acting replica queries. @default always */
  readonly active?: () => boolean;
  readonly logger: LoggerLike;
  readonly queries: { inc(labels: { result: QueryResult }): void };
  readonly now?: () => number;
}

/**
 * Clock skew allowance between the controller and Prometheus (sample timestamps are Prometheus'
 * scrape times, the window's end is the controller's clock), ms.
 */
export const CLOCK_MARGIN_MS = 1000;

const M = semconv.METRIC_HTTP_SERVER_DURATION;
/**
 * The same requests `request-stats.ts` counts: user routes only (not the probes' `/health/*`, not
 * the scrapes' `/metrics`), of brewops targets (`instance_id` is the http_sd target label).
 */
const USER = 'instance_id!="", route!~"/metrics|/health/.*"';
/** The instance's own failures: 5xx but not 502/503/504 (an upstream's failure passed on). */
const OWN_FAILURE = 'status_code=~"5..", status_code!~"50[234]"';

/** The three instant queries, summed per (service, instance_id) over `window`. */
export function promQueries(window: string): { requests: string; errors: string; seconds: string } {
  const by = 'sum by (service, instance_id)';
  return {
    requests: `${by} (increase(${M}_count{${USER}}[${window}]))`,
    errors: `${by} (increase(${M}_count{${USER}, ${OWN_FAILURE}}[${window}]))`,
    seconds: `${by} (increase(${M}_sum{${USER}}[${window}]))`,
  };
}

class QueryError extends Error {
  constructor(readonly result: Exclude<QueryResult, 'ok'>, message: string) {
    super(message);
  }
}

interface ApiVector {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: Array<{ metric?: Record<string, string>; value?: [number, string] }> };
}

const keyOf = (service: string, instanceId: string): string => `${service}/${instanceId}`;

/**
 * The Prometheus signal (issue 8: "per-instance error ratio and latency from Prometheus"): every
 * `prometheus.intervalMs` three instant queries (`/api/v1/query`) give, per (service, instance_id),
 * the requests, own 5xx and summed duration over `prometheus.window`; an instance with at least
 * `prometheus.minRequests` of them gets a verdict against `traffic.maxErrorRatio` and
 * `traffic.maxMeanLatencyMs`, raised as `prom_error_ratio` / `prom_latency`.
 *
 * The direct read of each instance's `/metrics` (request-stats) is the fast path (1 s, 3 s window);
 * this one is slower (scrape interval + window) but needs no route from the controller to the
 * instance and agrees with what the dashboards show.
 *
 * Which series may judge an instance: Prometheus keys them by `instance_id`, which a restart keeps
 * (the address label `instance` may or may not change), and a range query over a window reaching
 * back before the restart would blame the new process for the old one's failures. Likewise a
 * window reaching back before a reroute would judge a reinstated instance, or one rerouted and
 * restarted, on the requests it failed before. So an instance is judged only when the whole window
 * — `(now − window, now]`, `time` set explicitly — lies after its target's `since` (registration,
 * or the last time it was out of traffic) plus `CLOCK_MARGIN_MS`: every sample in it was scraped
 * from the current process while in traffic. `increase()` uses only the samples inside the range
 * (its extrapolation scales their own deltas), so nothing older leaks in. The cost: no Prometheus
 * verdict for one window after a (re)start or reinstatement; the direct path covers that time.
 * Consequence for verification: a `verifying` instance is judged by Prometheus only once a whole
 * window has passed since its reinstatement, i.e. only when `rules.verifyWindowMs` exceeds the
 * window (default 5 s vs 30 s: never): the window itself is judged by probes and the direct path.
 *
 * Prometheus unreachable or failing: one warning per outage, each query counted by result, no
 * verdict (raised signals stay as they are, like an unresolved alert); never throws, never blocks
 * the loop (its own timer, one poll at a time, each query with a timeout).
 */
export class PrometheusSignal {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private busy = false;
  private down = false;
  private wasEnabled = true;
  private readonly now: () => number;

  constructor(private readonly deps: PrometheusSignalDeps) {
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.poll().finally(() => this.schedule()), this.deps.config().prometheus.intervalMs);
    this.timer.unref();
  }

  /** One round: queries, verdicts. Resolves when done; never rejects. Public for tests. */
  async poll(): Promise<void> {
    if (this.busy) return;
    const cfg = this.deps.config();
    const p = cfg.prometheus;
    if (!p.enabled) {
      if (this.wasEnabled) for (const t of this.deps.targets()) this.deps.clear(t.service, t.instanceId);
      this.wasEnabled = false;
      return;
    }
    this.wasEnabled = true;
    if (!(this.deps.active?.() ?? true)) return;
    const windowMs = parseDurationMs(p.window);
    const now = this.now();
    const due = this.deps.targets().filter((t) => Number.isFinite(t.since) && now - windowMs - CLOCK_MARGIN_MS >= t.since);
    if (due.length === 0) return; // nobody to judge: no load on Prometheus
    this.busy = true;
    try {
      const q = promQueries(p.window);
      // all three settle before the poll ends: none is left running into the next one
      const settled = await Promise.allSettled([q.requests, q.errors, q.seconds].map((expr) => this.query(p, expr, now)));
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        const err = failed.reason as QueryError;
        if (!this.down) {
          this.down = true;
          this.deps.logger.warn({ err: { message: err.message }, url: p.url, result: err.result }, 'controller: Prometheus query failed; its signal is paused until it answers (logged once per outage)');
        }
        return;
      }
      const results = settled.map((r) => (r as PromiseFulfilledResult<Map<string, number>>).value);
      if (this.down) {
        this.down = false;
        this.deps.logger.info({ url: p.url }, 'controller: Prometheus answers again; its signal resumes');
      }
      if (this.stopped || !this.deps.config().prometheus.enabled) return;
      const [requests, errors, seconds] = results as [Map<string, number>, Map<string, number>, Map<string, number>];
      const thresholds = { minRequests: p.minRequests, maxErrorRatio: cfg.traffic.maxErrorRatio, maxMeanLatencyMs: cfg.traffic.maxMeanLatencyMs };
      // an instance rerouted or restarted while the queries ran is no longer judged on them
      const still = new Set(this.deps.targets().map((t) => `${keyOf(t.service, t.instanceId)}@${t.since}`));
      for (const t of due) {
        if (!still.has(`${keyOf(t.service, t.instanceId)}@${t.since}`)) continue;
        const key = keyOf(t.service, t.instanceId);
        const n = requests.get(key) ?? 0;
        const stats = n > 0
          ? { requests: n, errorRatio: (errors.get(key) ?? 0) / n, meanLatencyMs: ((seconds.get(key) ?? 0) / n) * 1000 }
          : { requests: 0, errorRatio: 0, meanLatencyMs: 0 };
        const v = judge(stats, thresholds);
        if (!v) continue; // too few requests: no verdict, as for the direct signal
        this.deps.verdict({ service: t.service, instanceId: t.instanceId, ...v, ...stats });
      }
    } finally {
      this.busy = false;
    }
  }

  /** One instant query at `timeMs`; the vector's samples by (service, instance_id). Counts its result. */
  private async query(p: PrometheusConfig, expr: string, timeMs: number): Promise<Map<string, number>> {
    const url = new URL(p.url);
    url.pathname = `${url.pathname.replace(/\/$/, '')}/api/v1/query`; // keeps a base path (`http://host/prometheus`)
    const form = new URLSearchParams({ query: expr, time: (timeMs / 1000).toFixed(3), timeout: `${p.timeoutMs}ms` });
    try {
      // untraced, like the probes and the direct reads: three queries every 5 s would bury the incidents
      const res = await context.with(suppressTracing(ROOT_CONTEXT), () => fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        signal: AbortSignal.timeout(p.timeoutMs),
      })).catch((err: unknown) => {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new QueryError(timedOut ? 'timeout' : 'unreachable', timedOut ? `no answer within ${p.timeoutMs} ms` : causeOf(err));
      });
      let body: ApiVector;
      try {
        body = (await res.json()) as ApiVector;
      } catch {
        throw new QueryError('error', `HTTP ${res.status}: not a Prometheus API answer`);
      }
      if (!res.ok || body.status !== 'success' || body.data?.resultType !== 'vector') {
        throw new QueryError('error', `HTTP ${res.status}: ${body.errorType ?? 'error'}: ${body.error ?? `unexpected answer (${body.data?.resultType ?? 'no data'})`}`);
      }
      const out = new Map<string, number>();
      for (const s of body.data.result ?? []) {
        const service = s.metric?.['service'];
        const id = s.metric?.['instance_id'];
        const v = Number(s.value?.[1]);
        if (service && id && Number.isFinite(v)) out.set(keyOf(service, id), v);
      }
      this.deps.queries.inc({ result: 'ok' });
      return out;
    } catch (err) {
      const e = err instanceof QueryError ? err : new QueryError('error', err instanceof Error ? err.message : String(err));
      this.deps.queries.inc({ result: e.result });
      throw e;
    }
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
