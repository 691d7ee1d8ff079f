import { performance } from 'node:perf_hooks';
import { isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';
import type Koa from 'koa';
import type { LabelValues } from 'prom-client';
import { toAppError } from '../http/errors.js';
import {
  acceptsOpenMetrics,
  OPENMETRICS_CONTENT_TYPE,
  openMetricsToPrometheusText,
  PROMETHEUS_CONTENT_TYPE,
} from './exposition.js';
import type { HttpLabel, Metrics } from './metrics.js';
import { methodLabel, routeTemplate } from './route.js';

/** `{trace_id}` of the active span when it is sampled (an exemplar must lead to a stored trace). */
function traceExemplar(): LabelValues<HttpLabel> {
  const sc = trace.getActiveSpan()?.spanContext();
  if (!sc || !isSpanContextValid(sc) || (sc.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { trace_id: sc.traceId } as LabelValues<string> as LabelValues<HttpLabel>;
}

/** Records one request in the RED histogram (with a trace exemplar when enabled). */
export function observeHttpRequest(
  metrics: Metrics,
  labels: Record<HttpLabel, string>,
  seconds: number,
): void {
  if (metrics.exemplars) {
    metrics.httpServerDuration.observe({ labels, value: seconds, exemplarLabels: traceExemplar() });
  } else {
    metrics.httpServerDuration.observe(labels, seconds);
  }
}

/**
 * Times every request into `http_server_request_duration_seconds{method, route, status_code}`.
 * Installed inside the error middleware: a thrown error is counted with the status it will get.
 */
export function metricsMiddleware(metrics: Metrics): Koa.Middleware {
  return async function metricsMiddleware(ctx, next) {
    const start = performance.now();
    let status: number | undefined;
    try {
      await next();
    } catch (err) {
      status = toAppError(err).status;
      throw err;
    } finally {
      observeHttpRequest(
        metrics,
        {
          method: methodLabel(ctx.method),
          route: routeTemplate(ctx),
          status_code: String(status ?? ctx.status),
        },
        (performance.now() - start) / 1000,
      );
    }
  };
}

/** `GET /metrics`: OpenMetrics (with exemplars) when asked for, else the Prometheus text format. */
export function metricsHandler(metrics: Metrics): Koa.Middleware {
  return async function metricsHandler(ctx) {
    const rendered = await metrics.registry.metrics();
    const isOpenMetrics = metrics.registry.contentType === OPENMETRICS_CONTENT_TYPE;
    if (isOpenMetrics && acceptsOpenMetrics(ctx.get('accept'))) {
      ctx.set('content-type', OPENMETRICS_CONTENT_TYPE);
      ctx.body = rendered;
    } else {
      ctx.set('content-type', PROMETHEUS_CONTENT_TYPE);
      ctx.body = isOpenMetrics ? openMetricsToPrometheusText(rendered) : rendered;
    }
    ctx.set('cache-control', 'no-store');
    ctx.vary('accept');
  };
}
