import { kibanaDiscover } from '../datasources.js';
import { brewopsDashboard, row, statPanel, timeseriesPanel } from '../panels.js';
import { quantile, RATE, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

/** The collector's own queue of log batches (semconv QUEUE_LOGS). */
const LOG_QUEUE = 'queue="brewops.logs.collector", job="rabbitmq-queues"';
const DELAY = 'brewops_collector_end_to_end_delay_seconds';

export const logPipeline: DashboardSource = {
  file: 'log-pipeline.json',
  build: () => brewopsDashboard('brewops-log-pipeline', 'brewops / Log pipeline',
    'Services ship log batches over RabbitMQ; the collector bulk-indexes them into the search backend and dead-letters rejected documents.')
    .withRow(row('Lag'))
    .withPanel(statPanel('Log line to searchable, p99', [{ expr: quantile(0.99, DELAY, '', []), legend: 'p99' }], {
      unit: 's', span: 8, thresholds: [{ value: 10, color: 'orange' }, { value: 30, color: 'red' }],
      description: 'From a log line\'s @timestamp to the search backend accepting it. Alert: BrewopsLogPipelineLag.',
    }))
    .withPanel(statPanel('Batches waiting', [{ expr: `sum(rabbitmq_detailed_queue_messages{${LOG_QUEUE}})`, legend: 'batches' }], {
      unit: 'short', span: 8, thresholds: [{ value: 100, color: 'orange' }, { value: 1000, color: 'red' }],
      description: 'Log batches in the collector queue (ready + unacknowledged).',
    }))
    .withPanel(statPanel('Collector consumers', [{ expr: `sum(rabbitmq_detailed_queue_consumers{${LOG_QUEUE}})`, legend: 'consumers' }], {
      unit: 'short', span: 8, baseColor: 'red', thresholds: [{ value: 1, color: 'green' }],
      description: 'Consumers on the log queue: 0 means nothing indexes logs.',
    }))
    .withPanel(timeseriesPanel('End-to-end delay', [
      { expr: quantile(0.5, DELAY, '', []), legend: 'p50' },
      { expr: quantile(0.99, DELAY, '', []), legend: 'p99' },
    ], { unit: 's', span: 12, description: 'Log line @timestamp to indexed, as the collector measures it after each bulk write.' }))
    .withPanel(timeseriesPanel('Bulk write duration p99', [{
      expr: quantile(0.99, 'brewops_collector_bulk_duration_seconds', '', ['kind']), legend: '{{kind}}',
    }], { unit: 's', span: 12, description: 'Time to write one batch to the search backend, retries included, for logs and archived events.' }))
    .withRow(row('Ingest'))
    .withPanel(timeseriesPanel('Log lines shipped by service', [{
      expr: sumRate('brewops_log_lines_shipped_total', '', ['service']), legend: '{{service}}',
    }], { unit: 'short', span: 12, description: 'Log lines per second each service sent to the logs exchange.' }))
    .withPanel(timeseriesPanel('Documents indexed', [{
      expr: sumRate('brewops_collector_documents_indexed_total', '', ['kind']), legend: '{{kind}}',
    }], { unit: 'short', span: 12, description: 'Documents per second the search backend accepted (logs and archived domain events).' }))
    .withPanel(timeseriesPanel('Log batches in the queue', [
      { expr: `sum(rabbitmq_detailed_queue_messages_ready{${LOG_QUEUE}})`, legend: 'ready' },
      { expr: `sum(rabbitmq_detailed_queue_messages_unacked{${LOG_QUEUE}})`, legend: 'being indexed (unacked)' },
    ], { unit: 'short', span: 24, description: 'Batches waiting in brewops.logs.collector; a batch is acked only after the backend accepted it.' }))
    .withRow(row('Rejections'))
    .withPanel(timeseriesPanel('Documents dead-lettered', [{
      expr: sumRate('brewops_collector_documents_deadlettered_total', '', ['kind']), legend: '{{kind}}',
    }], {
      unit: 'short', span: 12,
      description: 'Documents the backend rejected or that could not be parsed, written to the dead-letter index instead.',
      links: [{ title: 'Dead-letter index in Kibana', url: kibanaDiscover('*', 'deadletter-brewops') }],
    }))
    .withPanel(timeseriesPanel('Log lines dropped at the source', [{
      expr: `sum by (service) (rate(brewops_log_lines_dropped_total[${RATE}]))`, legend: '{{service}}',
    }], { unit: 'short', span: 12, description: 'Lines a service dropped before shipping (buffer full, broker unreachable).' }))
    .build(),
};
