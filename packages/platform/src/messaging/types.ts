import type { Channel } from 'amqplib';
import type { OpenMetricsContentType, PrometheusContentType, Registry } from 'prom-client';
import type { LoggerLike } from '../util/logger-like.js';
export type { LoggerLike };

/** A prom-client registry of either exposition format. */
export type MetricsRegistryLike = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;


export interface MessagingOptions {
  /** AMQP URL, e.g. `amqp://guest:guest@127.0.0.1:5672`. A `heartbeat` query parameter is added when absent. */
  readonly url: string;
  /** Shown in the RabbitMQ management UI and `rabbitmqctl list_connections` (client property `connection_name`). */
  readonly connectionName: string;
  readonly logger: LoggerLike;
  /** Registry for the messaging metrics (see `semconv.ts`). No metrics are recorded when absent. */
  readonly registry?: MetricsRegistryLike;
  /** First reconnect delay, before jitter. @default 100 */
  readonly minReconnectDelayMs?: number;
  /** Cap of the exponential reconnect delay. @default 5000 */
  readonly maxReconnectDelayMs?: number;
  /** AMQP heartbeat used when the URL has none; detects a dead peer on a silent network. @default 10 */
  readonly heartbeatSeconds?: number;
  /** Upper bound for `close()` to wait for in-flight handlers and unconfirmed publishes. @default 10000 */
  readonly closeTimeoutMs?: number;
}

export interface PublishOptions {
  /** @default a random UUID */
  readonly messageId?: string;
  /** Extra AMQP headers. `x-correlation-id` and the propagation headers are set by `publish`. */
  readonly headers?: Readonly<Record<string, unknown>>;
  /**
   * Correlation ID to send instead of the one in the active context's baggage
   * (`correlation.id`). It is also put into the propagated baggage.
   */
  readonly correlationId?: string;
  /** AMQP `type` property, e.g. the event name. */
  readonly type?: string;
  /** Only for `Buffer` payloads; JSON payloads are always `application/json`. @default `application/octet-stream` */
  readonly contentType?: string;
  /** @default true */
  readonly persistent?: boolean;
  /** Per-message TTL in milliseconds. */
  readonly expiration?: number;
  readonly priority?: number;
  /**
   * Publish with tracing suppressed: no producer span and no trace headers. For telemetry's own
   * traffic (log shipping), which must not trace itself. @default false
   */
  readonly suppressTracing?: boolean;
}

/** One message of `publishBatch`. */
export interface OutgoingMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly payload: unknown;
  readonly opts?: PublishOptions;
}

export interface ConsumedMessage {
  /** Parsed JSON when the content type is JSON (or absent) and parses; the raw `Buffer` otherwise. Parsed on first read. */
  readonly body: unknown;
  readonly raw: Buffer;
  readonly headers: Readonly<Record<string, unknown>>;
  readonly messageId: string | undefined;
  readonly routingKey: string;
  readonly exchange: string;
  /** From the `correlation.id` baggage entry, else the `x-correlation-id` header; `undefined` if neither is valid. */
  readonly correlationId: string | undefined;
  readonly redelivered: boolean;
}

/** What happens to a message whose handler threw: `reject` (nack, no requeue: dead-letters if the queue has a DLX). */
export type FailureAction = 'requeue' | 'reject' | 'ack';

/** Decides the fate of a failed message; a policy that throws counts as `reject`. */
export type FailurePolicy = (err: unknown, msg: ConsumedMessage) => FailureAction;

export type MessageHandler = (msg: ConsumedMessage) => Promise<void>;

export interface ConsumeOptions {
  /** Unacknowledged messages in flight for this consumer (its own channel). @default 16 */
  readonly prefetch?: number;
  readonly consumerTag?: string;
  /** @default () => 'reject' */
  readonly onError?: FailurePolicy;
  /**
   * Group commit. The handlers of the deliveries that arrived in one turn of the event loop are
   * started inside one call of this function, which runs `run` in a transaction: for a SQLite
   * service `(run) => db.transaction(run)()`. What a handler does synchronously (up to its first
   * `await`) then commits with the others' in one commit, and a handler's own `db.transaction()`
   * becomes a savepoint inside it, so a handler that throws rolls back only its own work.
   * A message is acked only after its handler resolved and the batch committed; when this
   * function throws (e.g. the commit failed), every message of the batch is requeued, whatever
   * its handler did. Work a handler does after an `await` is not part of the batch.
   * @default none: each handler starts as soon as its message arrives
   */
  readonly transaction?: (run: () => void) => void;
}

export interface ConsumerHandle {
  readonly queue: string;
  /** The broker's tag for the current subscription; `undefined` while disconnected. */
  readonly consumerTag: string | undefined;
  /** Stops intake, waits for in-flight handlers (bounded by `closeTimeoutMs`), closes the consumer's channel. */
  cancel(): Promise<void>;
}

/** Declares exchanges, queues and bindings; must be idempotent (it runs again after every reconnect). */
export type TopologyDeclaration = (ch: Channel) => Promise<void>;

/** Typed events of `Messaging`. */
export interface MessagingEvents {
  connected: [];
  /** `reason` is the broker's or socket's message, or `closed` after `close()`. */
  disconnected: [reason: string];
  /** The broker stopped reading from this connection (memory or disk alarm); publishes wait. */
  blocked: [reason: string];
  unblocked: [];
}
