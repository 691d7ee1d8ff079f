import { Counter, Histogram } from 'prom-client';
import {
  METRIC_MESSAGE_HANDLE_DURATION,
  METRIC_MESSAGES_CONSUMED,
  METRIC_MESSAGES_PUBLISHED,
} from '../semconv.js';
import type { FailureAction, MetricsRegistryLike } from './types.js';
import type { MessagingErrorCode } from './errors.js';

/** `outcome` label of the published counter. */
export type PublishOutcome = 'confirmed' | MessagingErrorCode;
/** `outcome` label of the consumed counter and the handle histogram. */
export type HandleOutcome = 'success' | 'error';

/**
 * Label sets (dashboards and alerts depend on them):
 * - `brewops_messages_published_total{exchange, outcome}`: outcome `confirmed` or an error code (`nacked`, `unconfirmed`, ...)
 * - `brewops_messages_consumed_total{queue, outcome, action}`: outcome `success|error`, action `ack|reject|requeue`
 * - `brewops_message_handle_duration_seconds{queue, outcome}`
 */
export interface MessagingMetrics {
  published(exchange: string, outcome: PublishOutcome, count?: number): void;
  consumed(queue: string, outcome: HandleOutcome, action: FailureAction, seconds: number): void;
}

const noop: MessagingMetrics = { published() {}, consumed() {} };

const HANDLE_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Returns the metric already registered under `name`, or registers a new one; creating twice never throws. */
function reuse<T>(registry: MetricsRegistryLike, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function createMessagingMetrics(registry: MetricsRegistryLike | undefined): MessagingMetrics {
  if (registry === undefined) return noop;
  const published = reuse(registry, METRIC_MESSAGES_PUBLISHED, () => new Counter({
    name: METRIC_MESSAGES_PUBLISHED,
    help: 'Messages published, by exchange and outcome (confirmed by the broker, or the error code).',
    labelNames: ['exchange', 'outcome'] as const,
    registers: [registry],
  }));
  const consumed = reuse(registry, METRIC_MESSAGES_CONSUMED, () => new Counter({
    name: METRIC_MESSAGES_CONSUMED,
    help: 'Messages handled, by queue, outcome (success|error) and what was done with them (ack|reject|requeue).',
    labelNames: ['queue', 'outcome', 'action'] as const,
    registers: [registry],
  }));
  const duration = reuse(registry, METRIC_MESSAGE_HANDLE_DURATION, () => new Histogram({
    name: METRIC_MESSAGE_HANDLE_DURATION,
    help: 'Time a message handler took, by queue and outcome.',
    labelNames: ['queue', 'outcome'] as const,
    buckets: HANDLE_BUCKETS,
    registers: [registry],
  }));
  return {
    published(exchange, outcome, count = 1) {
      published.inc({ exchange, outcome }, count);
    },
    consumed(queue, outcome, action, seconds) {
      consumed.inc({ queue, outcome, action });
      duration.observe({ queue, outcome }, seconds);
    },
  };
}
