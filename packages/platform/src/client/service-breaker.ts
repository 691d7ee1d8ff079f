import { BrokenCircuitError, CircuitBreakerPolicy, circuitBreaker, handleWhen } from 'cockatiel';
import { Counter, Gauge } from 'prom-client';
import type { LoggerLike } from '../discovery/types.js';
import { AppError, isAppError } from '../http/errors.js';
import type { MetricsRegistryLike } from '../messaging/types.js';
import {
  LABEL_UPSTREAM_SERVICE,
  METRIC_CLIENT_SERVICE_BREAKER_REJECTED,
  METRIC_CLIENT_SERVICE_BREAKER_STATE,
  METRIC_CLIENT_SERVICE_BREAKER_TRANSITIONS,
} from '../semconv.js';
import { LiveConsecutiveBreaker, liveHalfOpenAfter } from './live-breaker.js';
import { BREAKER_GAUGE, type BreakerStateName } from './metrics.js';
import type { UpstreamPolicy } from './types.js';
import { STATE_NAME } from './upstream.js';

/** `code` of the 503 AppError a call gets while the service breaker is open (the call was not made). */
export const SERVICE_BREAKER_OPEN = 'upstream_breaker_open';

export interface ServiceBreakerOptions {
  /** Upstream service name, for the error, the log lines and the `upstream_service` label. */
  readonly service: string;
  /** Consecutive failed calls that open the breaker. @default 5 */
  readonly breakerThreshold?: number;
  /** Time the open breaker waits before letting one half-open probe through, ms. @default 1000 */
  readonly breakerHalfOpenAfterMs?: number;
  /**
   * The live policy, read at every failure and while open: its `breakerThreshold` and
   * `breakerHalfOpenAfterMs` replace the options above (e.g. `upstreamPolicyFrom(rt.config, service)`,
   * the same getter as the service's ServiceClient). @default none (the options)
   */
  readonly policy?: () => Partial<UpstreamPolicy> | undefined;
  /** Registry for the breaker's gauge and counters (none: not measured). */
  readonly registry?: MetricsRegistryLike;
  /** Every transition is logged here. */
  readonly logger?: LoggerLike;
}

/** An answer that says the service failed: 5xx (the per-instance client already retried what it could). */
function failedAnswer(r: unknown): boolean {
  const status = (r as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 500;
}

/** A thrown failure of the service: anything but a 4xx AppError (a request the client refused to send says nothing about the service). */
function failedCall(e: unknown): boolean {
  return !(isAppError(e) && e.status < 500);
}

/** True for the error a call gets while the service breaker is open. */
export function isServiceBreakerOpen(e: unknown): e is AppError {
  return isAppError(e) && e.code === SERVICE_BREAKER_OPEN;
}

/**
 * A circuit breaker around every call to one service, above the per-instance breakers of its
 * ServiceClient: those guard one instance each and are gone with it when it leaves discovery, so
 * when all instances are down (or all fail) only this one opens. It counts whole calls, after the
 * client's retries: a thrown error other than a 4xx AppError, or a 5xx answer, is a failure;
 * anything else (2xx-4xx) a success.
 *
 * - closed: calls go through; `breakerThreshold` consecutive failures open it.
 * - open: calls are refused at once with a 503 AppError `upstream_breaker_open` (`Retry-After`:
 *   the rest of the cool-down), nothing is sent; the caller's fallback takes over.
 * - half-open: after `breakerHalfOpenAfterMs` the next call is the probe; calls arriving while it
 *   runs wait for it (cockatiel) and then go through a closed breaker or are refused. A successful
 *   probe closes the breaker, a failed one opens it for another cool-down.
 *
 * Measured as `brewops_client_service_breaker_state{upstream_service}` (0 closed, 1 half-open,
 * 2 open), `..._transitions_total{upstream_service,state}` and `..._rejected_total{upstream_service}`;
 * each transition is logged once.
 */
export class ServiceBreaker {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly metrics: ServiceBreakerMetrics;
  private readonly counter = new LiveConsecutiveBreaker(() => this.threshold());
  private stateName: BreakerStateName = 'closed';
  private openedAt = 0;

  constructor(private readonly options: ServiceBreakerOptions) {
    this.metrics = createServiceBreakerMetrics(options.registry, options.service);
    this.breaker = circuitBreaker(handleWhen(failedCall).orWhenResult(failedAnswer), {
      halfOpenAfter: liveHalfOpenAfter(() => this.halfOpenAfterMs()),
      breaker: this.counter,
    });
    // onHalfOpen fires before the probe runs; the state-change event for it only after the probe started
    this.breaker.onHalfOpen(() => this.transition('half_open'));
    this.breaker.onStateChange((s) => this.transition(STATE_NAME[s]));
  }

  /** The breaker's state now. */
  get state(): BreakerStateName {
    return this.stateName;
  }

  /** Runs `call` through the breaker; while open, throws the 503 `upstream_breaker_open` without calling. */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await this.breaker.execute(call);
    } catch (err) {
      // instanceof: cockatiel 3.2.1's own guards check the wrong property
      if (!(err instanceof BrokenCircuitError)) throw err;
      this.metrics.rejected();
      const waitMs = Math.max(0, this.halfOpenAfterMs() - (Date.now() - this.openedAt));
      throw new AppError({
        status: 503,
        code: SERVICE_BREAKER_OPEN,
        message: `${this.options.service} is failing; calls are paused by its circuit breaker`,
        headers: { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
        cause: err,
      });
    }
  }

  private threshold(): number {
    return this.options.policy?.()?.breakerThreshold ?? this.options.breakerThreshold ?? 5;
  }

  private halfOpenAfterMs(): number {
    return this.options.policy?.()?.breakerHalfOpenAfterMs ?? this.options.breakerHalfOpenAfterMs ?? 1000;
  }

  private transition(state: BreakerStateName): void {
    if (state === this.stateName) return;
    this.stateName = state;
    if (state === 'open') this.openedAt = Date.now();
    this.metrics.state(state);
    const service = this.options.service;
    const fields = { upstream_service: service, state };
    if (state === 'open') {
      this.options.logger?.warn(
        { ...fields, consecutiveFailures: this.counter.state, halfOpenAfterMs: this.halfOpenAfterMs() },
        `client: service breaker for ${service} open; calls go to the fallback for ${this.halfOpenAfterMs()} ms`,
      );
    } else if (state === 'half_open') {
      this.options.logger?.info(fields, `client: service breaker for ${service} half-open; one probe call`);
    } else {
      this.options.logger?.info(fields, `client: service breaker for ${service} closed`);
    }
  }
}

interface ServiceBreakerMetrics {
  state(state: BreakerStateName): void;
  rejected(): void;
}

function reuse<T>(registry: MetricsRegistryLike, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

function createServiceBreakerMetrics(registry: MetricsRegistryLike | undefined, service: string): ServiceBreakerMetrics {
  if (registry === undefined) return { state() {}, rejected() {} };
  const registers = [registry];
  const gauge = reuse(registry, METRIC_CLIENT_SERVICE_BREAKER_STATE, () => new Gauge({
    name: METRIC_CLIENT_SERVICE_BREAKER_STATE, help: 'Circuit breaker state per upstream service (all its instances): 0 closed, 1 half-open, 2 open.',
    labelNames: [LABEL_UPSTREAM_SERVICE], registers,
  }));
  const transitions = reuse(registry, METRIC_CLIENT_SERVICE_BREAKER_TRANSITIONS, () => new Counter({
    name: METRIC_CLIENT_SERVICE_BREAKER_TRANSITIONS, help: 'Service circuit breaker transitions per upstream service, by the state entered.',
    labelNames: [LABEL_UPSTREAM_SERVICE, 'state'], registers,
  }));
  const rejected = reuse(registry, METRIC_CLIENT_SERVICE_BREAKER_REJECTED, () => new Counter({
    name: METRIC_CLIENT_SERVICE_BREAKER_REJECTED, help: 'Calls refused (not sent) while the upstream service breaker was open.',
    labelNames: [LABEL_UPSTREAM_SERVICE], registers,
  }));
  const labels = { [LABEL_UPSTREAM_SERVICE]: service };
  gauge.set(labels, BREAKER_GAUGE.closed);
  rejected.inc(labels, 0);
  return {
    state(state) {
      gauge.set(labels, BREAKER_GAUGE[state]);
      transitions.inc({ ...labels, state });
    },
    rejected() {
      rejected.inc(labels);
    },
  };
}
