import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, row, statPanel, timeseriesPanel } from '../panels.js';
import { HTTP, quantile, RATE, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

/** `POST /v1/orders` on the order service: the business entry point. */
const PLACE = 'service="order", method="POST", route="/v1/orders"';

/**
 * What the business does, from what the services emit today: orders through the order API and
 * `order.*` events through the broker. Saga panels (payments, brews, compensations, brew time)
 * join when payment and barista emit their counters.
 */
export const business: DashboardSource = {
  file: 'business.json',
  build: () => brewopsDashboard('brewops-business', 'brewops / Business',
    'Orders placed and rejected, order events flowing to the read model.')
    .withRow(row('Orders'))
    .withPanel(statPanel('Orders placed (1h)', [{
      expr: `sum(increase(${HTTP}_count{${PLACE}, status_code="201"}[1h]))`, legend: 'orders',
    }], { unit: 'short', span: 8, description: 'Orders accepted by the order service in the last hour.' }))
    .withPanel(statPanel('Order rejections (1h)', [{
      expr: `sum(increase(${HTTP}_count{${PLACE}, status_code=~"4.."}[1h])) or vector(0)`, legend: 'rejected',
    }], {
      unit: 'short', span: 8, thresholds: [{ value: 1, color: 'orange' }],
      description: 'Orders refused with a 4xx (invalid input, unknown SKU) in the last hour.',
    }))
    .withPanel(statPanel('Order API p99 (1h)', [{ expr: quantile(0.99, HTTP, PLACE, [], '1h'), legend: 'p99' }], {
      unit: 's', span: 8, description: 'How long placing an order takes, 99th percentile over the last hour.',
    }))
    .withPanel(timeseriesPanel('Orders per second by outcome', [{
      expr: sumRate(`${HTTP}_count`, PLACE, ['status_code']), legend: '{{status_code}}',
    }], {
      unit: 'reqps', span: 12, description: '201 placed; 4xx refused; 5xx failed.',
      links: [{ title: 'Order logs in Kibana', url: kibanaDiscover('service.name:"order"') }],
    }))
    .withPanel(timeseriesPanel('Order latency', [
      { expr: quantile(0.5, HTTP, PLACE, []), legend: 'p50' },
      { expr: quantile(0.99, HTTP, PLACE, []), legend: 'p99', exemplar: true },
    ], { unit: 's', span: 12, description: 'Time to place an order (member lookup, pricing, store). Exemplars open the trace.' }))
    .withRow(row('Order events'))
    .withPanel(timeseriesPanel('Order events published', [{
      expr: `sum by (outcome) (rate(brewops_messages_published_total{service="order", exchange="brewops.events"}[${RATE}]))`,
      legend: '{{outcome}}',
    }], { unit: 'short', span: 12, description: 'order.* events the order service published to brewops.events, by broker confirm outcome.' }))
    .withPanel(timeseriesPanel('Order events applied to the read model', [{
      expr: `sum by (outcome) (rate(brewops_messages_consumed_total{service="status"}[${RATE}]))`, legend: '{{outcome}}',
    }], { unit: 'short', span: 12, description: 'Events the status service applied to its read model, by outcome.' }))
    .build(),
};
