import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, row, statPanel, timeseriesPanel } from '../panels.js';
import { HTTP, quantile, RATE, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

/** `POST /v1/orders` on the order service: the business entry point. */
const PLACE = 'service="order", method="POST", route="/v1/orders"';

/** Business counters of the saga (services/{order,payment,barista}/src/metrics.ts). */
const PLACED = 'brewops_orders_placed_total';
const COMPLETED = 'brewops_orders_completed_total';
const CANCELLED = 'brewops_orders_cancelled_total';
const COMPENSATIONS = 'brewops_compensations_total';
const ORDER_LATENCY = 'brewops_order_latency_seconds';
const PAYMENTS = 'brewops_payments_total';
const BREWS = 'brewops_brews_total';
const BREW_TIME = 'brewops_brew_duration_seconds';

/**
 * What the business does: orders through the order API, the saga behind them (payment, brew,
 * compensations: refund and cancel), its end-to-end latency and brew time, and `order.*` events
 * through the broker.
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
    .withPanel(timeseriesPanel('Orders by pricing', [{
      expr: `sum by (pricing) (rate(${PLACED}[${RATE}]))`, legend: '{{pricing}}',
    }], {
      unit: 'reqps', span: 24,
      description: 'member: member price; guest: no member; member_unknown: no such member (guest price); member_unavailable: member did not answer, guest price as a fallback.',
    }))
    .withRow(row('Saga: order.placed → payment → barista → completed, or compensated'))
    .withPanel(statPanel('Orders completed (1h)', [{ expr: `sum(increase(${COMPLETED}[1h]))`, legend: 'completed' }], {
      unit: 'short', span: 8, description: 'Orders whose coffee was brewed (coffee.ready) in the last hour.',
    }))
    .withPanel(statPanel('Orders cancelled (1h)', [{ expr: `sum(increase(${CANCELLED}[1h])) or vector(0)`, legend: 'cancelled' }], {
      unit: 'short', span: 8, thresholds: [{ value: 1, color: 'orange' }],
      description: 'Orders the saga cancelled in the last hour (payment declined, out of stock).',
    }))
    .withPanel(statPanel('Order end-to-end p99 (1h)', [{ expr: quantile(0.99, ORDER_LATENCY, '', [], '1h'), legend: 'p99' }], {
      unit: 's', span: 8, description: 'From order placed to completed or cancelled, 99th percentile over the last hour.',
    }))
    .withPanel(timeseriesPanel('Saga step outcomes', [
      { expr: `sum by (outcome) (rate(${PAYMENTS}[${RATE}]))`, legend: 'payment {{outcome}}' },
      { expr: `sum by (outcome) (rate(${BREWS}[${RATE}]))`, legend: 'brew {{outcome}}' },
      { expr: `sum(rate(${COMPLETED}[${RATE}]))`, legend: 'order completed' },
      { expr: `sum by (reason) (rate(${CANCELLED}[${RATE}]))`, legend: 'order cancelled: {{reason}}' },
    ], {
      unit: 'reqps', span: 12, min: 0,
      description: 'Per second: payments charged or declined, brews ready or rejected (out of stock), orders completed or cancelled by reason.',
    }))
    .withPanel(timeseriesPanel('Compensations by reason and action', [{
      expr: `sum by (reason, action) (rate(${COMPENSATIONS}[${RATE}]))`, legend: '{{action}} ({{reason}})',
    }], {
      unit: 'reqps', span: 12, min: 0,
      description: 'Compensating actions: refund (payment) and cancel_order (order), by the reason the saga turned back.',
      links: [{ title: 'Saga steps in Kibana', url: kibanaDiscover('service.name:("order" or "payment") and message:"saga event applied"') }],
    }))
    .withPanel(timeseriesPanel('Order end-to-end latency', [
      { expr: quantile(0.5, ORDER_LATENCY, '', ['outcome']), legend: '{{outcome}} p50' },
      { expr: quantile(0.99, ORDER_LATENCY, '', ['outcome']), legend: '{{outcome}} p99' },
    ], { unit: 's', span: 12, description: 'From order placed to completed (coffee ready) or cancelled, as the order service sees the saga end.' }))
    .withPanel(timeseriesPanel('Brew time', [
      { expr: quantile(0.5, BREW_TIME, '', []), legend: 'p50' },
      { expr: quantile(0.99, BREW_TIME, '', []), legend: 'p99' },
    ], { unit: 's', span: 12, description: 'Time the barista takes to brew one order (brewing plus the stock transaction).' }))
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
