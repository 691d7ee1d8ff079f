import { Counter } from 'prom-client';
import type { Channel } from 'amqplib';
import { EXCHANGE_EVENTS } from '../semconv.js';
import { errorMessage } from '../messaging/errors.js';
import type { Messaging } from '../messaging/index.js';
import type { ConsumedMessage, LoggerLike, MessageHandler, MetricsRegistryLike, TopologyDeclaration } from '../messaging/types.js';

/** AMQP headers the retry path reads and writes. */
export const HEADER_ATTEMPT = 'x-brewops-attempt';
export const HEADER_LAST_ERROR = 'x-brewops-last-error';
export const HEADER_PARKED_REASON = 'x-brewops-parked-reason';

/** Retry delays, one retry queue per step: `delaysMs.length + 1` attempts in all, then the parking queue. */
export interface RetryPolicy {
  readonly delaysMs: readonly number[];
}

export const DEFAULT_RETRY: RetryPolicy = { delaysMs: [500, 2000, 8000] };

export const retryQueueName = (queue: string, step: number): string => `${queue}.retry.${step}`;
export const parkingQueueName = (queue: string): string => `${queue}.parked`;

/**
 * A work queue bound to domain events, with one delay queue per retry step and a parking queue.
 * A delay queue holds a message for its TTL, then dead-letters it through the default exchange
 * back to the work queue (the classic RabbitMQ TTL + DLX pattern), so no consumer sleeps and the
 * work queue keeps flowing while a message waits.
 */
export function declareRetryingQueue(queue: string, patterns: readonly string[], policy: RetryPolicy = DEFAULT_RETRY): TopologyDeclaration {
  return async (ch: Channel) => {
    await ch.assertExchange(EXCHANGE_EVENTS, 'topic', { durable: true });
    await ch.assertQueue(queue, { durable: true });
    for (const p of patterns) await ch.bindQueue(queue, EXCHANGE_EVENTS, p);
    for (const [i, ttl] of policy.delaysMs.entries()) {
      await ch.assertQueue(retryQueueName(queue, i + 1), {
        durable: true,
        arguments: { 'x-message-ttl': ttl, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
      });
    }
    await ch.assertQueue(parkingQueueName(queue), { durable: true });
  };
}

/** Which attempt this delivery is (1 for the first). */
export function attemptOf(msg: Pick<ConsumedMessage, 'headers'>): number {
  const n = Number(msg.headers[HEADER_ATTEMPT]);
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

/** Where a failed message goes next: pure, so the schedule is unit-tested. */
export function nextHop(queue: string, attempt: number, policy: RetryPolicy): { kind: 'retry'; queue: string; delayMs: number } | { kind: 'park'; queue: string } {
  const delay = policy.delaysMs[attempt - 1];
  return delay === undefined ? { kind: 'park', queue: parkingQueueName(queue) } : { kind: 'retry', queue: retryQueueName(queue, attempt), delayMs: delay };
}

/** Original headers minus the broker's dead-letter bookkeeping (it grows on every hop). */
function carriedHeaders(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k === 'x-death' || k.startsWith('x-first-death') || k.startsWith('x-last-death')) continue;
    out[k] = v;
  }
  return out;
}

export interface RetryingHandlerOptions {
  readonly messaging: Pick<Messaging, 'publish'>;
  readonly queue: string;
  readonly logger: LoggerLike;
  readonly policy?: RetryPolicy;
  readonly registry?: MetricsRegistryLike;
}

const METRIC_RETRIED = 'brewops_messages_retried_total';
const METRIC_PARKED = 'brewops_messages_parked_total';

function counter(registry: MetricsRegistryLike | undefined, name: string, help: string): Counter<'queue'> | undefined {
  if (!registry) return undefined;
  return (registry.getSingleMetric(name) as Counter<'queue'> | undefined)
    ?? new Counter({ name, help, labelNames: ['queue'] as const, registers: [registry] });
}

/**
 * Wraps a handler: when it throws, the message is republished (with confirms) to the next delay
 * queue, or after the last attempt to the parking queue with the reason, and the original is
 * acked. The handler must be idempotent: a crash between republish and ack delivers it twice.
 * If the republish itself fails, the error propagates and the consumer's `onError` decides.
 */
export function retryingHandler(handler: MessageHandler, opts: RetryingHandlerOptions): MessageHandler {
  const policy = opts.policy ?? DEFAULT_RETRY;
  const retried = counter(opts.registry, METRIC_RETRIED, 'Messages whose handler failed and that were sent to a delay queue, by work queue.');
  const parked = counter(opts.registry, METRIC_PARKED, 'Messages parked in the dead-letter (parking) queue after their last attempt, by work queue.');
  return async (msg) => {
    try {
      await handler(msg);
    } catch (err) {
      const attempt = attemptOf(msg);
      const hop = nextHop(opts.queue, attempt, policy);
      const reason = errorMessage(err).slice(0, 500);
      const headers = carriedHeaders(msg.headers);
      // on the way to a retry: the attempt it will be; parked: how many were made
      headers[HEADER_ATTEMPT] = hop.kind === 'park' ? attempt : attempt + 1;
      headers[HEADER_LAST_ERROR] = reason;
      if (hop.kind === 'park') headers[HEADER_PARKED_REASON] = reason;
      await opts.messaging.publish('', hop.queue, msg.raw, {
        ...(msg.messageId !== undefined ? { messageId: msg.messageId } : {}),
        headers,
        contentType: 'application/json',
      });
      if (hop.kind === 'park') {
        parked?.inc({ queue: opts.queue });
        opts.logger.error({ queue: opts.queue, messageId: msg.messageId, attempt, reason }, 'message parked in the dead-letter queue');
      } else {
        retried?.inc({ queue: opts.queue });
        opts.logger.warn({ queue: opts.queue, messageId: msg.messageId, attempt, delayMs: hop.delayMs, reason }, 'message failed; retrying later');
      }
    }
  };
}
