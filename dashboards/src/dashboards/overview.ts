import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, controllerActions, row, statPanel, timeseriesPanel, withCorrelationIdLink } from '../panels.js';
import { AVAILABILITY_SLO, errorRatio, HTTP, quantile, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

/** Requests a user made: scrapes and health probes are not part of RED or the SLO. */
const USER = 'route!~"/metrics|/health/.*"';
const BUDGET = 1 - AVAILABILITY_SLO;

/** Error ratio over `window` divided by the error budget: 1 means the budget lasts exactly the SLO period. */
function burnRate(window: string): string {
  return `${errorRatio(USER, ['service'], window)} / ${BUDGET}`;
}

export const overview: DashboardSource = {
  file: 'overview.json',
  build: () => withCorrelationIdLink(brewopsDashboard('brewops-overview', 'brewops / Overview',
    'RED per service, availability SLO and error-budget burn. Start here.'),
  kibanaDiscover('correlation.id:"${correlation_id}"'))
    .annotation(controllerActions())
    .withRow(row('Instances'))
    .withPanel(statPanel('Instances up', [{ expr: 'sum by (service) (up{instance_id!=""})', legend: '{{service}}' }], {
      unit: 'short', span: 12, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }],
      description: 'Scraped instances answering /metrics, per service (targets from the registry via http_sd).',
    }))
    .withPanel(statPanel('Instances down', [{ expr: 'sum by (service) (1 - up{instance_id!="", expected!="false"})', legend: '{{service}}' }], {
      unit: 'short', span: 12, thresholds: [{ value: 1, color: 'red' }],
      description: 'Expected instances whose last scrape failed: registered, or crashed and not yet back (test fixtures excluded). Alert: BrewopsInstanceDown.',
    }))
    .withRow(row('RED per service (user requests: scrapes and health checks excluded)'))
    .withPanel(timeseriesPanel('Request rate', [{ expr: sumRate(`${HTTP}_count`, USER, ['service']), legend: '{{service}}' }], {
      unit: 'reqps', span: 8, description: 'HTTP requests served per second, per service.',
    }))
    .withPanel(timeseriesPanel('Error ratio (5xx)', [{ expr: errorRatio(USER, ['service']), legend: '{{service}}' }], {
      unit: 'percentunit', span: 8, min: 0, description: 'Share of requests answered with a 5xx. Alert: BrewopsHighErrorRatio.',
      links: [{ title: 'Error logs in Kibana', url: kibanaDiscover('log.level:error') }],
    }))
    .withPanel(timeseriesPanel('Latency p99', [{ expr: quantile(0.99, HTTP, USER, ['service']), legend: '{{service}}', exemplar: true }], {
      unit: 's', span: 8, description: '99th percentile of request duration. Exemplar points open the trace in Zipkin. Alert: BrewopsHighLatencyP99.',
    }))
    .withRow(row(`Availability SLO: ${AVAILABILITY_SLO * 100}% of user requests without a 5xx`))
    .withPanel(statPanel('Availability (30d)', [{
      expr: `1 - ${errorRatio(USER, ['service'], '30d')}`, legend: '{{service}}',
    }], {
      unit: 'percentunit', span: 8, baseColor: 'red', thresholds: [{ value: AVAILABILITY_SLO, color: 'green' }],
      description: 'Non-5xx share of user requests over the SLO period (30 days, or as much as Prometheus keeps).',
    }))
    .withPanel(statPanel('Error budget remaining (30d)', [{
      expr: `1 - ${errorRatio(USER, ['service'], '30d')} / ${BUDGET}`, legend: '{{service}}',
    }], {
      unit: 'percentunit', span: 8, baseColor: 'red', thresholds: [{ value: 0.25, color: 'orange' }, { value: 0.5, color: 'green' }],
      description: `Share of the ${(BUDGET * 100).toFixed(1)}% error budget not yet spent in the SLO period.`,
    }))
    .withPanel(timeseriesPanel('Error-budget burn rate', [
      { expr: burnRate('5m'), legend: '{{service}} 5m' },
      { expr: burnRate('1h'), legend: '{{service}} 1h' },
      { expr: burnRate('6h'), legend: '{{service}} 6h' },
    ], {
      unit: 'x', span: 8, min: 0,
      description: 'Error ratio / error budget. 1 spends the budget in exactly 30 days; the page fires at 14.4 (1h and 5m), the ticket at 6 (6h and 30m). Alert: BrewopsErrorBudgetBurn.',
    }))
    .withRow(row('Traffic between the parts'))
    .withPanel(timeseriesPanel('Requests by service and status', [{
      expr: sumRate(`${HTTP}_count`, USER, ['service', 'status_code']), legend: '{{service}} {{status_code}}',
    }], { unit: 'reqps', span: 24, description: 'User requests per second by service and HTTP status.' }))
    .build(),
};

