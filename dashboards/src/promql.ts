/**
 * PromQL fragments shared by dashboards. Label and metric names come from the platform's semconv
 * (`http_server_request_duration_seconds`, target labels `service`, `instance_id`).
 */

export const HTTP = 'http_server_request_duration_seconds';

/** Grafana's rate window: at least four scrapes, whatever the step. */
export const RATE = '$__rate_interval';

/** `sum by (by) (rate(metric{sel}[window]))` */
export function sumRate(metric: string, selector: string, by: readonly string[], window = RATE): string {
  return `sum by (${by.join(', ')}) (rate(${metric}{${selector}}[${window}]))`;
}

/**
 * `num / den` where a missing numerator counts as 0 (no 5xx at all is a ratio of 0, not "no
 * data"). Both sides must be aggregated by the same labels.
 */
export function ratioOrZero(num: string, den: string): string {
  return `(${num} or ${den} * 0) / ${den}`;
}

/**
 * `expr`, or 0 for each series of `like` where `expr` has none: a counter that only appears with
 * its first event (retries, ejections, breaker trips) reads 0, not "no data". Both sides must be
 * aggregated by the same labels.
 */
export function orZero(expr: string, like: string): string {
  return `${expr} or ${like} * 0`;
}

/** Share of requests answered with a 5xx, by `by`. */
export function errorRatio(selector: string, by: readonly string[], window = RATE): string {
  const sep = selector === '' ? '' : ', ';
  return ratioOrZero(
    sumRate(`${HTTP}_count`, `${selector}${sep}status_code=~"5.."`, by, window),
    sumRate(`${HTTP}_count`, selector, by, window),
  );
}

/** `histogram_quantile(q, sum by (le, by) (rate(metric_bucket{sel}[window])))` */
export function quantile(q: number, metric: string, selector: string, by: readonly string[], window = RATE): string {
  return `histogram_quantile(${q}, ${sumRate(`${metric}_bucket`, selector, ['le', ...by], window)})`;
}

/** Availability objective of every service's HTTP API (non-5xx share of requests). */
export const AVAILABILITY_SLO = 0.995;
