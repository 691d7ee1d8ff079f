/**
 * Helpers for the log-pipeline tests (5x-*): publish NDJSON batches to `brewops.logs` exactly as
 * the services' shippers do, count what reached the search backend, read the collector's queue.
 */
import * as amqp from 'amqplib';
import { semconv } from '@brewops/platform';
import { readState, supervisorClient } from '@brewops/cli';
import { getJson, urls } from '../support/stack.js';

export const AMQP_URL = process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** One ECS log line tagged with a run id and a sequence number (unique per run). */
export function logLine(run: string, seq: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    '@timestamp': new Date().toISOString(),
    'log.level': 'info',
    message: `e2e log line ${seq} of ${run}`,
    service: { name: 'e2e-logs', instance: { id: 'e2e-logs-1' } },
    labels: { run, seq },
    ...extra,
  });
}

/** A confirm channel on the shared broker, publishing NDJSON batches to the log exchange. */
export class LogPublisher {
  private constructor(private readonly conn: amqp.ChannelModel, private readonly ch: amqp.ConfirmChannel) {}

  static async open(): Promise<LogPublisher> {
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createConfirmChannel();
    return new LogPublisher(conn, ch);
  }

  /** Publishes one batch (lines joined by `\n`) and waits for the broker's confirm. */
  async publish(lines: readonly string[]): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.ch.publish(semconv.EXCHANGE_LOGS, 'e2e-logs', Buffer.from(lines.join('\n')), {
        contentType: 'application/x-ndjson',
        persistent: true,
      }, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
  }

  /** Messages ready (not yet delivered) and consumers on the collector's log queue. */
  async queueDepth(): Promise<{ ready: number; consumers: number }> {
    const q = await this.ch.checkQueue(semconv.QUEUE_LOGS);
    return { ready: q.messageCount, consumers: q.consumerCount };
  }

  async close(): Promise<void> {
    await this.ch.close().catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}

/** Publishes `total` lines of `run` in batches of `batch`, spread evenly over `overMs`. */
export async function publishRun(pub: LogPublisher, run: string, total: number, batch: number, overMs = 0): Promise<void> {
  const batches = Math.ceil(total / batch);
  const start = Date.now();
  for (let b = 0; b < batches; b++) {
    const lines: string[] = [];
    for (let s = b * batch; s < Math.min(total, (b + 1) * batch); s++) lines.push(logLine(run, s));
    await pub.publish(lines);
    const due = start + ((b + 1) * overMs) / batches;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}

/** How many log documents of `run` are searchable (ids are stable, so this counts unique lines). */
export async function countRun(run: string): Promise<number> {
  const res = await getJson<{ count: number }>(`${urls.search()}/logs-brewops-*/_count`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { term: { 'labels.run': run } } }),
  });
  return res.count;
}

/** Sequence numbers of `run` missing from the search backend (for a useful failure message). */
export async function missingSeqs(run: string, total: number): Promise<number[]> {
  const res = await getJson<{ aggregations: { seqs: { buckets: Array<{ key: number }> } } }>(`${urls.search()}/logs-brewops-*/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, query: { term: { 'labels.run': run } }, aggs: { seqs: { terms: { field: 'labels.seq', size: total + 10 } } } }),
  });
  const seen = new Set(res.aggregations.seqs.buckets.map((b) => Number(b.key)));
  const missing: number[] = [];
  for (let s = 0; s < total; s++) if (!seen.has(s)) missing.push(s);
  return missing;
}

/** Dead letters written since `sinceIso` (raw is stored, not indexed: filtered here). */
export async function deadLettersSince(sinceIso: string): Promise<Array<{ reason: string; source: string; raw: string }>> {
  const res = await getJson<{ hits: { hits: Array<{ _source: { reason: string; source: string; raw: string } }> } }>(
    `${urls.search()}/deadletter-brewops/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: 1000, query: { range: { '@timestamp': { gte: sinceIso } } } }),
    });
  return res.hits.hits.map((h) => h._source);
}

/** The collector's own queue-lag gauge (`brewops_collector_queue_messages_ready`) for the log queue. */
export async function collectorQueueLag(): Promise<number | undefined> {
  const c = (await supervisorClient(readState()).instances()).find((i) => i.id === 'collector-1');
  if (!c?.url) return undefined;
  const text = await (await fetch(`${c.url}/metrics`)).text();
  const m = new RegExp(`brewops_collector_queue_messages_ready\\{queue="${semconv.QUEUE_LOGS}"\\} (\\d+)`).exec(text);
  return m ? Number(m[1]) : undefined;
}
