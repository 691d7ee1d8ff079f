import { randomUUID } from 'node:crypto';
import { currentCorrelationId } from '../correlation.js';

/** Every domain event on the wire: metadata + a typed payload. */
export interface EventEnvelope<T = unknown> {
  readonly messageId: string;
  /** Routing key and event name, e.g. `order.placed`. */
  readonly type: string;
  readonly version: number;
  /** ISO-8601 time the fact happened. */
  readonly occurredAt: string;
  readonly correlationId: string | undefined;
  readonly payload: T;
}

export function makeEvent<T>(type: string, version: number, payload: T): EventEnvelope<T> {
  return {
    messageId: randomUUID(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    correlationId: currentCorrelationId(),
    payload,
  };
}

/** Narrow check of the envelope shape of an incoming message body (payloads are validated by their consumer). */
export function isEventEnvelope(value: unknown): value is EventEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['messageId'] === 'string' && typeof v['type'] === 'string' && typeof v['version'] === 'number'
    && typeof v['occurredAt'] === 'string' && 'payload' in v;
}
