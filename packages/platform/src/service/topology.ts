import type { Channel } from 'amqplib';
import { EXCHANGE_EVENTS, EXCHANGE_LOGS, QUEUE_LOGS } from '../semconv.js';

/**
 * Log exchange and the collector's queue, declared by every shipper as well as by the collector,
 * so that lines emitted before the collector first starts are queued rather than dropped.
 */
export async function declareLogTopology(ch: Channel): Promise<void> {
  await ch.assertExchange(EXCHANGE_LOGS, 'topic', { durable: true });
  await ch.assertQueue(QUEUE_LOGS, { durable: true });
  await ch.bindQueue(QUEUE_LOGS, EXCHANGE_LOGS, '#');
}

/** The topic exchange for domain events. */
export async function declareEventsExchange(ch: Channel): Promise<void> {
  await ch.assertExchange(EXCHANGE_EVENTS, 'topic', { durable: true });
}

/** A durable queue bound to domain events by routing-key patterns, e.g. `order.*`. */
export async function declareEventQueue(ch: Channel, queue: string, patterns: readonly string[]): Promise<void> {
  await declareEventsExchange(ch);
  await ch.assertQueue(queue, { durable: true });
  for (const p of patterns) await ch.bindQueue(queue, EXCHANGE_EVENTS, p);
}
