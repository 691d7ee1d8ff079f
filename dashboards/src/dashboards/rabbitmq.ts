import { brewopsDashboard, row, statPanel, timeseriesPanel } from '../panels.js';
import { quantile, RATE, sumRate } from '../promql.js';
import type { DashboardSource } from '../types.js';

/**
 * Broker-side metrics come from the rabbitmq_prometheus plugin: job `rabbitmq` (aggregated
 * `/metrics`) and job `rabbitmq-queues` (`/metrics/detailed`, per queue: `rabbitmq_detailed_queue_*`).
 * Client-side metrics come from the platform's messaging layer on every instance.
 */
const Q = 'job="rabbitmq-queues"';
/** Queue naming of packages/platform/src/reliable/retry.ts: `<queue>.retry.<n>` delay queues, `<queue>.parked` dead letters. */
const PARKED = `${Q}, queue=~".+\\\\.parked"`;
const RETRY = `${Q}, queue=~".+\\\\.retry\\\\.[0-9]+"`;
const G = 'job="rabbitmq"';

function globalRate(counter: string, legend: string): { expr: string; legend: string } {
  return { expr: `sum(rate(rabbitmq_global_messages_${counter}_total{${G}}[${RATE}]))`, legend };
}

export const rabbitmq: DashboardSource = {
  file: 'rabbitmq.json',
  build: () => brewopsDashboard('brewops-rabbitmq', 'brewops / RabbitMQ',
    'Queues (depth, consumers), message rates through the broker, dead-lettering, and what each service published and consumed.')
    .withRow(row('Broker'))
    .withPanel(statPanel('Connections', [{ expr: `rabbitmq_connections{${G}}`, legend: 'connections' }], {
      unit: 'short', span: 6, description: 'Open AMQP connections (one per service instance, plus tools).',
    }))
    .withPanel(statPanel('Channels', [{ expr: `rabbitmq_channels{${G}}`, legend: 'channels' }], {
      unit: 'short', span: 6, description: 'Open channels.',
    }))
    .withPanel(statPanel('Queues', [{ expr: `rabbitmq_queues{${G}}`, legend: 'queues' }], {
      unit: 'short', span: 6, description: 'Declared queues.',
    }))
    .withPanel(statPanel('Resource alarms', [{
      expr: `rabbitmq_alarms_memory_used_watermark{${G}} + rabbitmq_alarms_free_disk_space_watermark{${G}} + rabbitmq_alarms_file_descriptor_limit{${G}}`,
      legend: 'alarms',
    }], {
      unit: 'short', span: 6, thresholds: [{ value: 1, color: 'red' }],
      description: 'Memory, disk or file-descriptor alarms in effect. Any alarm blocks every publisher.',
    }))
    .withRow(row('Queues'))
    .withPanel(timeseriesPanel('Queue depth (ready)', [{ expr: `sum by (queue) (rabbitmq_detailed_queue_messages_ready{${Q}})`, legend: '{{queue}}' }], {
      unit: 'short', span: 8, description: 'Messages waiting for a consumer. A steady rise: consumers are too slow or gone. Alert: BrewopsQueueBacklogGrowing.',
    }))
    .withPanel(timeseriesPanel('Unacknowledged', [{ expr: `sum by (queue) (rabbitmq_detailed_queue_messages_unacked{${Q}})`, legend: '{{queue}}' }], {
      unit: 'short', span: 8, description: 'Messages delivered and not yet acknowledged (in flight in a consumer, bounded by its prefetch).',
    }))
    .withPanel(timeseriesPanel('Consumers per queue', [{ expr: `sum by (queue) (rabbitmq_detailed_queue_consumers{${Q}})`, legend: '{{queue}}' }], {
      unit: 'short', span: 8, min: 0, description: 'Consumers attached to each queue. 0 on a queue a service should consume: alert BrewopsQueueConsumerMissing.',
    }))
    .withPanel(timeseriesPanel('Dead-letter (parking) queues', [{ expr: `sum by (queue) (rabbitmq_detailed_queue_messages{${PARKED}})`, legend: '{{queue}}' }], {
      unit: 'short', span: 12, min: 0,
      description: 'Messages whose last attempt failed, parked in `<queue>.parked`. Anything above 0 is an operation that did not complete. Alert: BrewopsDeadLetterQueueNotEmpty.',
    }))
    .withPanel(timeseriesPanel('Waiting for retry', [{ expr: `sum by (queue) (rabbitmq_detailed_queue_messages{${RETRY}})`, legend: '{{queue}}' }], {
      unit: 'short', span: 12, min: 0,
      description: 'Messages waiting out a retry delay in `<queue>.retry.<n>` before going back to their work queue.',
    }))
    .withRow(row('Message rates through the broker'))
    .withPanel(timeseriesPanel('Publish / deliver / ack', [
      globalRate('received', 'published'),
      globalRate('routed', 'routed'),
      globalRate('delivered', 'delivered'),
      globalRate('acknowledged', 'acked'),
      globalRate('confirmed', 'confirmed to publisher'),
      globalRate('redelivered', 'redelivered'),
    ], { unit: 'short', span: 12, description: 'Messages per second. Published above acked for long means a backlog builds.' }))
    .withPanel(timeseriesPanel('Unroutable and dead-lettered', [
      globalRate('unroutable_dropped', 'unroutable dropped'),
      globalRate('unroutable_returned', 'unroutable returned'),
      { expr: `sum by (queue_type) (rate(rabbitmq_global_messages_dead_lettered_rejected_total{${G}}[${RATE}]))`, legend: 'dead-lettered: rejected ({{queue_type}})' },
      { expr: `sum by (queue_type) (rate(rabbitmq_global_messages_dead_lettered_expired_total{${G}}[${RATE}]))`, legend: 'dead-lettered: expired ({{queue_type}})' },
      { expr: `sum by (queue_type) (rate(rabbitmq_global_messages_dead_lettered_maxlen_total{${G}}[${RATE}]))`, legend: 'dead-lettered: max length ({{queue_type}})' },
    ], {
      unit: 'short', span: 12,
      description: 'Messages no queue took (unroutable) and messages the broker moved to a dead-letter exchange, by reason.',
    }))
    .withRow(row('Clients (platform messaging metrics)'))
    .withPanel(timeseriesPanel('Published by service', [{
      expr: sumRate('brewops_messages_published_total', '', ['service', 'exchange', 'outcome']), legend: '{{service}} → {{exchange}} ({{outcome}})',
    }], { unit: 'short', span: 12, description: 'Messages published per second; outcome `confirmed` or the error code (nacked, unconfirmed...).' }))
    .withPanel(timeseriesPanel('Consumed by service', [{
      expr: sumRate('brewops_messages_consumed_total', '', ['service', 'queue', 'outcome', 'action']), legend: '{{service}} ← {{queue}} {{outcome}}/{{action}}',
    }], { unit: 'short', span: 12, description: 'Messages handled per second, by outcome and what was done with them (ack, reject, requeue).' }))
    .withPanel(timeseriesPanel('Handler duration p99', [{
      expr: quantile(0.99, 'brewops_message_handle_duration_seconds', '', ['queue']), legend: '{{queue}}',
    }], { unit: 's', span: 24, description: '99th percentile time a message handler took, per queue.' }))
    .build(),
};
