import { Counter, Histogram } from 'prom-client';
import { isEventEnvelope, semconv } from '@brewops/platform';
import type { ConsumedMessage, ServiceRuntime } from '@brewops/platform';
import type { CollectorConfig } from './config.js';
import { dailyIndex, parseLogBatch, stableId } from './documents.js';
import type { SearchWriter } from './search-writer.js';
import { BulkBatcher } from './batcher.js';


/** Consumes log batches and domain events; a message is acknowledged only after the backend accepted it. */
export async function startPipeline(rt: ServiceRuntime, cfg: CollectorConfig, writer: SearchWriter): Promise<void> {
  const registry = rt.metrics.registry;
  const indexed = new Counter({ name: 'brewops_collector_documents_indexed_total', help: 'Documents accepted by the search backend', labelNames: ['kind'], registers: [registry] });
  const deadLettered = new Counter({ name: 'brewops_collector_documents_deadlettered_total', help: 'Documents written to the dead-letter index', labelNames: ['kind'], registers: [registry] });
  const bulkSeconds = new Histogram({ name: 'brewops_collector_bulk_duration_seconds', help: 'Time to write one batch, retries included', labelNames: ['kind'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry] });
  const emitToIndexed = new Histogram({ name: 'brewops_collector_end_to_end_delay_seconds', help: 'Log line @timestamp to indexed', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120], registers: [registry] });

  const messaging = rt.messaging!;
  await messaging.addTopology(async (ch) => {
    await ch.assertExchange(semconv.EXCHANGE_EVENTS, 'topic', { durable: true });
    await ch.assertQueue(cfg.eventsQueue, { durable: true });
    await ch.bindQueue(cfg.eventsQueue, semconv.EXCHANGE_EVENTS, '#');
    await ch.assertExchange(cfg.logsExchange, 'topic', { durable: true });
    await ch.assertQueue(cfg.logsQueue, { durable: true });
    await ch.bindQueue(cfg.logsQueue, cfg.logsExchange, '#');
  });

  // Log lines of several messages share one bulk; each message is acked once its bulk is accepted.
  const logBulks = new BulkBatcher(async (docs, dead) => {
    const end = bulkSeconds.startTimer({ kind: 'logs' });
    const r = await writer.write(docs, dead);
    end();
    indexed.inc({ kind: 'logs' }, r.indexed);
    deadLettered.inc({ kind: 'logs' }, r.deadLettered);
    const now = Date.now();
    for (const d of docs) emitToIndexed.observe(Math.max(0, (now - (d.timeMs ?? Date.parse(String(d.source['@timestamp'])))) / 1000));
  }, { maxDocs: cfg.bulkMaxDocs, maxDelayMs: cfg.bulkMaxDelayMs, maxInFlight: cfg.bulkMaxInFlight });

  await messaging.consume(cfg.logsQueue, async (msg: ConsumedMessage) => {
    const { docs, dead } = parseLogBatch(msg.raw.toString('utf8'), cfg.logIndexPrefix);
    await logBulks.add(docs, dead);
  }, { prefetch: cfg.prefetch, onError: () => 'requeue' });

  await messaging.consume(cfg.eventsQueue, async (msg: ConsumedMessage) => {
    const raw = msg.raw.toString('utf8');
    const end = bulkSeconds.startTimer({ kind: 'events' });
    if (!isEventEnvelope(msg.body)) {
      const r = await writer.write([], [{ reason: 'not_an_event_envelope', raw: raw.slice(0, 8192), source: 'events' }]);
      deadLettered.inc({ kind: 'events' }, r.deadLettered);
      end();
      return;
    }
    const e = msg.body;
    const orderId = (e.payload as { orderId?: unknown } | null)?.orderId;
    const r = await writer.write([{
      index: dailyIndex(cfg.eventIndexPrefix, e.occurredAt),
      id: e.messageId || stableId(raw),
      source: { '@timestamp': e.occurredAt, ...e, ...(typeof orderId === 'string' ? { orderId } : {}), routingKey: msg.routingKey },
    }], []);
    end();
    indexed.inc({ kind: 'events' }, r.indexed);
  }, { prefetch: cfg.prefetch, onError: () => 'requeue' });
}
