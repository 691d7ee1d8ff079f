import * as amqp from 'amqplib';
import { Gauge } from 'prom-client';
import type { Logger } from '@brewops/platform';
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';

type MetricsRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

export const METRIC_QUEUE_READY = 'brewops_collector_queue_messages_ready';

/**
 * Samples the messages ready (not yet delivered) in the collector's queues every `everyMs` with
 * `checkQueue` on a connection of its own, into `brewops_collector_queue_messages_ready{queue}`.
 * A broken connection is dropped and opened again at the next sample; it never affects consumption.
 */
export function startQueueLag(url: string, queues: readonly string[], everyMs: number, registry: MetricsRegistry, logger: Logger): { stop(): Promise<void> } {
  const gauge = new Gauge({ name: METRIC_QUEUE_READY, help: 'Messages ready in a collector queue (lag)', labelNames: ['queue'], registers: [registry] });
  let conn: amqp.ChannelModel | undefined;
  let ch: amqp.Channel | undefined;
  let stopped = false;
  let failing = false;

  const drop = (): void => {
    const c = conn;
    conn = undefined;
    ch = undefined;
    c?.close().catch(() => undefined);
  };
  const sample = async (): Promise<void> => {
    try {
      if (!ch) {
        conn = await amqp.connect(url);
        conn.on('error', () => undefined);
        conn.on('close', () => { conn = undefined; ch = undefined; });
        ch = await conn.createChannel();
        ch.on('error', () => undefined);
        ch.on('close', () => { ch = undefined; });
      }
      for (const q of queues) gauge.set({ queue: q }, (await ch.checkQueue(q)).messageCount);
      failing = false;
    } catch (err) {
      if (!failing) logger.warn({ err }, 'queue lag sample failed; retrying');
      failing = true;
      drop();
    }
  };
  void sample();
  const timer = setInterval(() => { if (!stopped) void sample(); }, everyMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await conn?.close().catch(() => undefined);
    },
  };
}
