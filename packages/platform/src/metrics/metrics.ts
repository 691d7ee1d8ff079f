import {
  collectDefaultMetrics,
  Histogram,
  Registry,
  type OpenMetricsContentType,
  type PrometheusContentType,
} from 'prom-client';
import { METRIC_HTTP_SERVER_DURATION } from '../semconv.js';

/** A prom-client registry of either exposition format. */
export type MetricsRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

export type HttpLabel = 'method' | 'route' | 'status_code';

export interface MetricsOptions {
  /** Service name (kept for callers; Prometheus adds `service` as a target label from http_sd). */
  service: string;
  /** Instance ID (kept for callers; Prometheus adds `instance_id` as a target label from http_sd). */
  instanceId: string;
  /**
   * Attach `{trace_id}` exemplars of sampled spans to the RED histogram. The registry then
   * renders OpenMetrics; `/metrics` still serves the Prometheus text format to clients that do
   * not ask for OpenMetrics. @default true
   */
  exemplars?: boolean;
  /** Register prom-client's process and Node.js runtime metrics. @default true */
  defaultMetrics?: boolean;
}

export interface Metrics {
  readonly service: string;
  readonly instanceId: string;
  /** This instance's registry (never the global one); register your own metrics here. */
  readonly registry: MetricsRegistry;
  /**
   * RED histogram `http_server_request_duration_seconds{method, route, status_code}`. Record
   * through `observeHttpRequest`: with exemplars enabled prom-client only accepts the object
   * form `observe({ labels, value, exemplarLabels })`.
   */
  readonly httpServerDuration: Histogram<HttpLabel>;
  /** Whether observations carry exemplars (and the registry renders OpenMetrics). */
  readonly exemplars: boolean;
}

/** 1 ms to 10 s: fast reads, slow writes and timeouts all land in a bucket of their own. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/**
 * Labels are not added per instance: `service` and `instance_id` are target labels set by the
 * http_sd endpoint, and the same labels in the exposition would be renamed `exported_*`.
 */
export function createMetrics(options: MetricsOptions): Metrics {
  const exemplars = options.exemplars ?? true;
  let registry: MetricsRegistry;
  if (exemplars) {
    // prom-client's typings lack the constructor argument; setContentType is the typed way.
    const openMetrics = new Registry<OpenMetricsContentType>();
    openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    registry = openMetrics;
  } else {
    registry = new Registry<PrometheusContentType>();
  }
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const httpServerDuration = new Histogram<HttpLabel>({
    name: METRIC_HTTP_SERVER_DURATION,
    help: 'Duration of HTTP requests served, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
    enableExemplars: exemplars,
  });
  return { service: options.service, instanceId: options.instanceId, registry, httpServerDuration, exemplars };
}
