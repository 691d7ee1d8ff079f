export { createMetrics, HTTP_DURATION_BUCKETS } from './metrics.js';
export type { HttpLabel, Metrics, MetricsOptions, MetricsRegistry } from './metrics.js';
export { metricsHandler, metricsMiddleware, observeHttpRequest } from './middleware.js';
export { methodLabel, routeTemplate, UNMATCHED_ROUTE } from './route.js';
export {
  acceptsOpenMetrics,
  OPENMETRICS_CONTENT_TYPE,
  openMetricsToPrometheusText,
  PROMETHEUS_CONTENT_TYPE,
} from './exposition.js';
