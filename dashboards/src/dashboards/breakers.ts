import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, labelVariable, row, stateTimelinePanel, statPanel, timeseriesPanel } from '../panels.js';
import { orZero, quantile, ratioOrZero, RATE, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

// The platform's client-side load balancer (packages/platform/src/client, names in semconv.ts):
// one breaker, outlier detector and latency histogram per upstream instance, in every caller.
const REQUESTS = 'brewops_client_requests_total';
const ERRORS = 'brewops_client_errors_total';
const DURATION = 'brewops_client_request_duration_seconds';
const BREAKER = 'brewops_client_breaker_state';
const TRANSITIONS = 'brewops_client_breaker_transitions_total';
const EJECTED = 'brewops_client_ejected';
const EJECTIONS = 'brewops_client_ejections_total';
const RETRIES = 'brewops_client_retries_total';
const BUDGET_EXHAUSTED = 'brewops_client_retry_budget_exhausted_total';
const PLACED = 'brewops_orders_placed_total';

/** The caller (`service`: the scrape target) and the upstream services chosen in the variables. */
const SEL = 'service="$service", upstream_service=~"$upstream"';
const BY_INSTANCE = ['upstream_service', 'upstream_instance'];
/** Requests per upstream instance: the series a counter that has not counted yet reads 0 against. */
const requestsBy = (by: readonly string[]): string => sumRate(REQUESTS, SEL, by);

/**
 * The Hystrix/Turbine view of the client-side load balancer: per upstream instance, breaker
 * state, traffic, errors and latency as the caller sees them; outlier ejections; retries and the
 * retry budget; and the business fallback (order prices at the guest price when member is
 * unavailable).
 */
export const breakers: DashboardSource = {
  file: 'breakers.json',
  build: () => brewopsDashboard('brewops-breakers', 'brewops / Breakers and load balancing',
    'Client-side load balancing as each caller sees its upstream instances: breakers, errors, latency, ejections, retries, fallbacks.')
    .withVariable(labelVariable('service', 'service', REQUESTS, { title: 'Caller' }))
    .withVariable(labelVariable('upstream', 'upstream_service', `${REQUESTS}{service="$service"}`, {
      title: 'Upstream service', multi: true, defaultAll: true,
    }))
    .withRow(row('Circuit breakers per upstream instance'))
    .withPanel(stateTimelinePanel('Breaker state', [{
      expr: `max by (upstream_service, upstream_instance) (${BREAKER}{${SEL}})`, legend: '{{upstream_instance}}',
    }], {
      unit: 'short', span: 16,
      states: [{ value: 0, text: 'closed', color: 'green' }, { value: 1, text: 'half-open', color: 'orange' }, { value: 2, text: 'open', color: 'red' }],
      description: 'Worst breaker state over the caller\'s instances, per upstream instance: closed, half-open (probing), open (no requests sent). Alert: BrewopsBreakerOpen.',
    }))
    .withPanel(statPanel('Breakers not closed', [{
      expr: `count(${BREAKER}{${SEL}} > 0) or vector(0)`, legend: 'not closed',
    }], {
      unit: 'short', span: 8, height: 8, thresholds: [{ value: 1, color: 'red' }],
      description: 'Breakers of the caller\'s instances that are open or half-open right now.',
    }))
    .withPanel(timeseriesPanel('Breaker trips', [{
      expr: orZero(`sum by (upstream_service, upstream_instance) (increase(${TRANSITIONS}{${SEL}, state="open"}[${RATE}]))`, requestsBy(BY_INSTANCE)),
      legend: '{{upstream_instance}}',
    }], {
      unit: 'short', span: 24, min: 0,
      description: 'Transitions to open per upstream instance (a failed half-open probe trips again).',
    }))
    .withRow(row('Traffic per upstream instance'))
    .withPanel(timeseriesPanel('Requests per upstream instance', [{ expr: requestsBy(BY_INSTANCE), legend: '{{upstream_instance}}' }], {
      unit: 'reqps', span: 12, description: 'Attempts sent per second to each upstream instance (retries included).',
    }))
    .withPanel(timeseriesPanel('Load share per upstream service', [{
      expr: `${requestsBy(BY_INSTANCE)} / on (upstream_service) group_left ${requestsBy(['upstream_service'])}`, legend: '{{upstream_instance}}',
    }], {
      unit: 'percentunit', span: 12, min: 0, max: 1,
      description: 'Each instance\'s share of its service\'s attempts: how least-outstanding / power-of-two choices spreads the load.',
    }))
    .withPanel(timeseriesPanel('Error ratio per upstream instance', [{
      expr: ratioOrZero(sumRate(ERRORS, SEL, BY_INSTANCE), requestsBy(BY_INSTANCE)), legend: '{{upstream_instance}}',
    }], {
      unit: 'percentunit', span: 12, min: 0,
      description: 'Failed attempts (connect, reset, timeout, breaker open, 5xx: label error_type) / attempts, per upstream instance.',
      links: [{ title: 'Caller error logs in Kibana', url: kibanaDiscover('service.name:"${service}" and log.level:(warn or error)') }],
    }))
    .withPanel(timeseriesPanel('Latency per upstream instance', [
      { expr: quantile(0.5, DURATION, SEL, BY_INSTANCE), legend: '{{upstream_instance}} p50' },
      { expr: quantile(0.99, DURATION, SEL, BY_INSTANCE), legend: '{{upstream_instance}} p99' },
    ], { unit: 's', span: 12, description: 'Time to response headers as the caller measures it (refused and breaker-open attempts excluded).' }))
    .withRow(row('Outlier ejection'))
    .withPanel(stateTimelinePanel('Ejected instances', [{
      expr: `max by (upstream_service, upstream_instance) (${EJECTED}{${SEL}})`, legend: '{{upstream_instance}}',
    }], {
      unit: 'short', span: 12,
      states: [{ value: 0, text: 'in rotation', color: 'green' }, { value: 1, text: 'ejected', color: 'red' }],
      description: 'Upstream instances outlier detection has taken out of rotation (in any of the caller\'s instances).',
    }))
    .withPanel(timeseriesPanel('Ejections', [{
      expr: orZero(`sum by (upstream_service, upstream_instance) (increase(${EJECTIONS}{${SEL}}[${RATE}]))`, requestsBy(BY_INSTANCE)),
      legend: '{{upstream_instance}}',
    }], { unit: 'short', span: 12, min: 0, description: 'Outlier ejections per upstream instance.' }))
    .withRow(row('Retries and fallbacks'))
    .withPanel(timeseriesPanel('Retries per upstream service', [
      { expr: orZero(sumRate(RETRIES, SEL, ['upstream_service']), requestsBy(['upstream_service'])), legend: '{{upstream_service}} retries/s' },
      { expr: orZero(sumRate(BUDGET_EXHAUSTED, SEL, ['upstream_service']), requestsBy(['upstream_service'])), legend: '{{upstream_service}} not retried (budget spent)' },
    ], {
      unit: 'reqps', span: 12, min: 0,
      description: 'Retries of idempotent calls away from a failed instance, and retries refused because the retry budget was spent (the budget keeps retries from multiplying an outage).',
    }))
    .withPanel(timeseriesPanel('Retry ratio per upstream service', [{
      expr: ratioOrZero(sumRate(RETRIES, SEL, ['upstream_service']), requestsBy(['upstream_service'])), legend: '{{upstream_service}}',
    }], {
      unit: 'percentunit', span: 12, min: 0,
      description: 'Retries / attempts: how much of the retry budget is in use.',
    }))
    .withPanel(timeseriesPanel('Orders priced at the guest price (member fallback)', [{
      expr: orZero(`sum(rate(${PLACED}{pricing="member_unavailable"}[${RATE}]))`, `sum(rate(${PLACED}[${RATE}]))`), legend: 'fallback: member unavailable',
    }, {
      expr: `sum(rate(${PLACED}[${RATE}]))`, legend: 'all orders',
    }], {
      unit: 'reqps', span: 12, min: 0,
      description: 'order → member: when member cannot answer (breaker open, timeout, no instance), order still takes the order at the guest price.',
      links: [{ title: 'Fallbacks in Kibana', url: kibanaDiscover('service.name:"order" and message:"member unavailable; pricing as guest"') }],
    }))
    .withPanel(statPanel('Fallback share (1h)', [{
      expr: `(sum(increase(${PLACED}{pricing="member_unavailable"}[1h])) or vector(0)) / sum(increase(${PLACED}[1h]))`, legend: 'fallback',
    }], {
      unit: 'percentunit', span: 12, height: 8, thresholds: [{ value: 0.01, color: 'orange' }, { value: 0.1, color: 'red' }],
      description: 'Share of the last hour\'s orders priced without the member lookup.',
    }))
    .build(),
};
