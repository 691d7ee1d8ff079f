import { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistryLike } from '../messaging/types.js';
import {
  METRIC_CLIENT_BREAKER_STATE,
  METRIC_CLIENT_BREAKER_TRANSITIONS,
  METRIC_CLIENT_DURATION,
  METRIC_CLIENT_EJECTED,
  METRIC_CLIENT_EJECTIONS,
  METRIC_CLIENT_ERRORS,
  METRIC_CLIENT_REQUESTS,
  METRIC_CLIENT_RETRIES,
  METRIC_CLIENT_RETRY_BUDGET_EXHAUSTED,
} from '../semconv.js';

/** Breaker state as the gauge shows it. */
export type BreakerStateName = 'closed' | 'half_open' | 'open';
export const BREAKER_GAUGE: Record<BreakerStateName, number> = { closed: 0, half_open: 1, open: 2 };

/** `error_type` label: an UpstreamFailure code, or `http_5xx`. */
export type ClientErrorType = 'connect' | 'breaker_open' | 'reset' | 'timeout' | 'invalid_request' | 'http_5xx';

/**
 * Per-upstream-instance metrics (labels `upstream_service`, `upstream_instance`):
 * requests, errors by type, latency, breaker state and transitions, ejections, retries.
 */
export interface ClientMetrics {
  /** A new instance: its gauges start at closed / not ejected. */
  init(service: string, instance: string): void;
  request(service: string, instance: string, seconds: number, error: ClientErrorType | undefined): void;
  breaker(service: string, instance: string, state: BreakerStateName): void;
  ejected(service: string, instance: string, ejected: boolean): void;
  retry(service: string, instance: string, reason: ClientErrorType): void;
  budgetExhausted(service: string): void;
  /** The instance left discovery: drop its gauges. */
  forget(service: string, instance: string): void;
}

const noop: ClientMetrics = { init() {}, request() {}, breaker() {}, ejected() {}, retry() {}, budgetExhausted() {}, forget() {} };

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const L = ['upstream_service', 'upstream_instance'] as const;

function reuse<T>(registry: MetricsRegistryLike, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createClientMetrics(registry: MetricsRegistryLike | undefined): ClientMetrics {
  if (registry === undefined) return noop;
  const registers = [registry];
  const requests = reuse(registry, METRIC_CLIENT_REQUESTS, () => new Counter({
    name: METRIC_CLIENT_REQUESTS, help: 'Attempts sent to an upstream instance by the client-side load balancer.', labelNames: L, registers,
  }));
  const errors = reuse(registry, METRIC_CLIENT_ERRORS, () => new Counter({
    name: METRIC_CLIENT_ERRORS, help: 'Failed attempts per upstream instance, by error_type (connect|breaker_open|reset|timeout|invalid_request|http_5xx).',
    labelNames: [...L, 'error_type'] as const, registers,
  }));
  const duration = reuse(registry, METRIC_CLIENT_DURATION, () => new Histogram({
    name: METRIC_CLIENT_DURATION, help: 'Time to response headers per upstream instance.', labelNames: L, buckets: BUCKETS, registers,
  }));
  const breakerState = reuse(registry, METRIC_CLIENT_BREAKER_STATE, () => new Gauge({
    name: METRIC_CLIENT_BREAKER_STATE, help: 'Circuit breaker state per upstream instance: 0 closed, 1 half-open, 2 open.', labelNames: L, registers,
  }));
  const transitions = reuse(registry, METRIC_CLIENT_BREAKER_TRANSITIONS, () => new Counter({
    name: METRIC_CLIENT_BREAKER_TRANSITIONS, help: 'Circuit breaker transitions per upstream instance, by the state entered.',
    labelNames: [...L, 'state'] as const, registers,
  }));
  const ejections = reuse(registry, METRIC_CLIENT_EJECTIONS, () => new Counter({
    name: METRIC_CLIENT_EJECTIONS, help: 'Outlier ejections per upstream instance.', labelNames: L, registers,
  }));
  const ejectedGauge = reuse(registry, METRIC_CLIENT_EJECTED, () => new Gauge({
    name: METRIC_CLIENT_EJECTED, help: '1 while the upstream instance is ejected by outlier detection.', labelNames: L, registers,
  }));
  const retries = reuse(registry, METRIC_CLIENT_RETRIES, () => new Counter({
    name: METRIC_CLIENT_RETRIES, help: 'Retries away from an upstream instance, by the reason (error_type) of the failed attempt.',
    labelNames: [...L, 'error_type'] as const, registers,
  }));
  const exhausted = reuse(registry, METRIC_CLIENT_RETRY_BUDGET_EXHAUSTED, () => new Counter({
    name: METRIC_CLIENT_RETRY_BUDGET_EXHAUSTED, help: 'Retries not made because the retry budget was spent.', labelNames: ['upstream_service'] as const, registers,
  }));
  return {
    init(service, instance) {
      const labels = { upstream_service: service, upstream_instance: instance };
      breakerState.set(labels, 0);
      ejectedGauge.set(labels, 0);
    },
    request(service, instance, seconds, error) {
      const labels = { upstream_service: service, upstream_instance: instance };
      requests.inc(labels);
      if (error !== 'connect' && error !== 'breaker_open') duration.observe(labels, seconds);
      if (error !== undefined) errors.inc({ ...labels, error_type: error });
    },
    breaker(service, instance, state) {
      const labels = { upstream_service: service, upstream_instance: instance };
      breakerState.set(labels, BREAKER_GAUGE[state]);
      transitions.inc({ ...labels, state });
    },
    ejected(service, instance, isEjected) {
      const labels = { upstream_service: service, upstream_instance: instance };
      ejectedGauge.set(labels, isEjected ? 1 : 0);
      if (isEjected) ejections.inc(labels);
    },
    retry(service, instance, reason) {
      retries.inc({ upstream_service: service, upstream_instance: instance, error_type: reason });
    },
    budgetExhausted(service) {
      exhausted.inc({ upstream_service: service });
    },
    forget(service, instance) {
      const labels = { upstream_service: service, upstream_instance: instance };
      breakerState.remove(labels);
      ejectedGauge.remove(labels);
    },
  };
}
