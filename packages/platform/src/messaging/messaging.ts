import { EventEmitter } from 'node:events';
import { context, propagation } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import * as amqp from 'amqplib';
import { ensureContextManager } from '../correlation.js';
import type { ChannelModel } from 'amqplib';
import { cancellableDelay, reconnectBackoff } from '../util/backoff.js';
import type { BackoffSchedule } from '../util/backoff.js';
import { Consumer, consumerSettings } from './consumer.js';
import { correlationIdOf, validCorrelationId, withCorrelationId } from './correlation.js';
import { MessagingError, errorMessage, isMessagingError, replyCodeOf } from './errors.js';
import { buildOutgoing } from './message.js';
import { createMessagingMetrics } from './metrics.js';
import type { MessagingMetrics } from './metrics.js';
import { Publisher } from './publisher.js';
import { runDeclaration } from './topology.js';
import { brokerOf, withHeartbeat } from './url.js';
import { coalesceWrites } from './wire.js';
import type { WireMessage } from './publisher.js';
import type {
  ConsumeOptions,
  ConsumerHandle,
  LoggerLike,
  MessageHandler,
  MessagingEvents,
  MessagingOptions,
  OutgoingMessage,
  PublishOptions,
  TopologyDeclaration,
} from './types.js';

/**
 * The one AMQP connection of a process: publisher confirms, consumers with a pluggable failure
 * policy, topology that is re-declared after every reconnect, and trace + correlation
 * propagation. Broker failures never crash the process: the connection is re-established in
 * the background with exponential backoff and jitter.
 *
 * Trace propagation: `publish` injects the active context (trace + baggage, through the global
 * propagator) into the headers itself. When `@opentelemetry/instrumentation-amqplib` is
 * registered, it then overwrites `traceparent` with its producer span, and on the consuming side
 * starts the consumer span as that span's child; the handler runs inside it. Without the
 * instrumentation the handler's context is extracted from the headers directly, so its spans
 * still join the producer's trace. The correlation ID travels both as baggage (`correlation.id`)
 * and as the `x-correlation-id` header, so it arrives even when no baggage propagator is set up.
 */
export class Messaging extends EventEmitter<MessagingEvents> {
  private readonly url: string;
  private readonly logger: LoggerLike;
  private readonly metrics: MessagingMetrics;
  private readonly publisher: Publisher;
  private readonly backoff: BackoffSchedule;
  private readonly topologies: TopologyDeclaration[] = [];
  private readonly consumers = new Set<Consumer>();
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly closeTimeoutMs: number;
  private conn: ChannelModel | undefined;
  private closing = false;
  private looping = false;
  private sleeping: { cancel(): void } | undefined;
  private started: Promise<void> | undefined;
  private firstConnect: { resolve(): void; reject(err: unknown): void } | undefined;
  private closed: Promise<void> | undefined;
  /** Set while a fault holds the connection down (`dropConnection`); released by `resumeConnection`. */
  private heldDown: { readonly released: Promise<void>; release(): void } | undefined;

  constructor(private readonly opts: MessagingOptions) {
    super();
    this.url = withHeartbeat(opts.url, opts.heartbeatSeconds ?? 10);
    this.logger = opts.logger;
    this.metrics = createMessagingMetrics(opts.registry);
    this.publisher = new Publisher(this.logger, this.metrics);
    this.minDelayMs = opts.minReconnectDelayMs ?? 100;
    this.maxDelayMs = opts.maxReconnectDelayMs ?? 5000;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    this.backoff = reconnectBackoff(this.minDelayMs, this.maxDelayMs);
  }

  /** True while the AMQP connection is open. */
  get isConnected(): boolean {
    return this.conn !== undefined;
  }

  /**
   * Connects, declares the registered topology, subscribes registered consumers. Resolves on the
   * first success; until then it keeps retrying in the background. Rejects only if `close()` is
   * called first (and never as an unhandled rejection, even if the promise is dropped).
   */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new MessagingError('closed', 'messaging is closed'));
    if (this.started === undefined) {
      this.started = new Promise<void>((resolve, reject) => (this.firstConnect = { resolve, reject }));
      this.started.catch(() => undefined);
      void this.connectLoop();
    }
    return this.started;
  }

  /**
   * Registers declarations that run now (when connected) and again after every reconnect, before
   * consumers re-subscribe. Invariant: while `isConnected`, every registered declaration has run on
   * the current connection. Rejects with `topology_failed` (and forgets the declaration) when the
   * broker refuses it; resolves at once when disconnected (it runs on connect).
   */
  async addTopology(declare: TopologyDeclaration): Promise<void> {
    if (this.closing) throw new MessagingError('closed', 'messaging is closed');
    this.topologies.push(declare);
    const conn = this.conn;
    if (conn === undefined) return;
    try {
      await runDeclaration(conn, declare);
    } catch (err) {
      const refused = isMessagingError(err) && err.replyCode !== undefined;
      if (this.conn !== conn && !refused) return; // lost the connection meanwhile: it runs again on reconnect
      this.topologies.splice(this.topologies.indexOf(declare), 1);
      throw err;
    }
  }

  /**
   * Publishes one message and resolves once the broker confirmed it. Rejects immediately with
   * `not_connected` when disconnected (callers buffer or retry), `nacked` on a nack, `unconfirmed`
   * when the connection dropped before the confirm, `channel_error` when the broker refused it
   * (e.g. missing exchange).
   */
  async publish(exchange: string, routingKey: string, payload: unknown, opts?: PublishOptions): Promise<void> {
    if (this.closing) throw new MessagingError('closed', 'messaging is closed');
    return this.publisher.publish(this.prepare({ exchange, routingKey, payload, ...(opts ? { opts } : {}) }));
  }

  /**
   * Publishes every message, then waits for all confirms at once (throughput: no round trip per
   * message). Rejects with the first failure's code and `failedIndices` when any was not confirmed.
   */
  async publishBatch(messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.closing) throw new MessagingError('closed', 'messaging is closed');
    const wire = messages.map((m) => this.prepare(m));
    const results = await this.publisher.publishBatch(wire);
    const failedIndices: number[] = [];
    let first: unknown;
    results.forEach((r, i) => {
      if (r.status === 'rejected') {
        failedIndices.push(i);
        first ??= r.reason;
      }
    });
    if (failedIndices.length === 0) return;
    const code = isMessagingError(first) ? first.code : 'unconfirmed';
    throw new MessagingError(code, `${failedIndices.length} of ${messages.length} messages not confirmed: ${errorMessage(first)}`, {
      cause: first,
      failedIndices,
    });
  }

  /**
   * Consumes `queue` on its own channel. The handler runs inside the message's trace and
   * correlation context; resolved → ack, thrown → `onError` decides (default: nack without
   * requeue), logged at warn. Re-subscribes after reconnects. When disconnected, it subscribes on
   * connect; when connected, rejects with `consume_failed` if the broker refuses.
   */
  async consume(queue: string, handler: MessageHandler, opts?: ConsumeOptions): Promise<ConsumerHandle> {
    if (this.closing) throw new MessagingError('closed', 'messaging is closed');
    ensureContextManager(); // handlers must see their message's context across awaits
    const consumer = new Consumer(queue, handler, consumerSettings(opts), {
      logger: this.logger,
      metrics: this.metrics,
      minDelayMs: this.minDelayMs,
      maxDelayMs: this.maxDelayMs,
      closeTimeoutMs: this.closeTimeoutMs,
      onCancelled: (c) => this.consumers.delete(c),
    });
    this.consumers.add(consumer);
    const conn = this.conn;
    if (conn === undefined) return consumer;
    try {
      await consumer.subscribe(conn);
    } catch (err) {
      const refused = replyCodeOf((err as { cause?: unknown }).cause) !== undefined;
      if (this.conn !== conn && !refused) return consumer; // subscribes after reconnect
      this.consumers.delete(consumer);
      throw err;
    }
    return consumer;
  }

  /**
   * Stops intake on every consumer and waits for in-flight handlers (bounded by `closeTimeoutMs`),
   * keeping the connection open so that publishing (e.g. the last log lines) still works.
   * Shutdown calls this in its drain phase and `close()` after the logs are flushed.
   */
  async stopConsuming(): Promise<void> {
    const deadline = Date.now() + this.closeTimeoutMs;
    const consumers = [...this.consumers];
    await Promise.all(consumers.map((c) => c.stopIntake()));
    await Promise.all(consumers.map((c) => c.drain(Math.max(0, deadline - Date.now()))));
  }

  /**
   * Stops intake (cancels consumers), waits for in-flight handlers and unconfirmed publishes
   * (bounded by `closeTimeoutMs`), then closes channels and the connection. No reconnect after.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.sleeping?.cancel();
    this.resumeConnection();
    this.firstConnect?.reject(new MessagingError('closed', 'messaging was closed before it connected'));
    const deadline = Date.now() + this.closeTimeoutMs;
    const consumers = [...this.consumers];
    await Promise.all(consumers.map((c) => c.stopIntake()));
    await Promise.all(consumers.map((c) => c.drain(Math.max(0, deadline - Date.now()))));
    if (!(await this.publisher.settle(Math.max(0, deadline - Date.now())))) {
      this.logger.warn({}, 'messaging: publishes still unconfirmed after the close timeout');
    }
    await Promise.all(consumers.map((c) => c.closeChannel()));
    await this.publisher.close();
    const conn = this.conn;
    this.conn = undefined;
    if (conn) {
      await conn.close().catch(() => undefined);
      this.emit('disconnected', 'closed');
    }
    this.logger.info({ broker: brokerOf(this.url) }, 'messaging: closed');
  }

  /**
   * Fault injection (faults.brokerDisconnect): closes the connection as if the broker dropped it
   * and keeps it down, with no reconnect attempt, until `resumeConnection()`. Publishes fail with
   * `not_connected` meanwhile; consumers re-subscribe on reconnect as after any outage.
   */
  dropConnection(): void {
    if (this.closing || this.heldDown) return;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    this.heldDown = { released, release };
    this.sleeping?.cancel();
    const conn = this.conn;
    if (conn) void conn.close().catch(() => undefined); // 'close' → onConnectionClosed → connectLoop waits
  }

  /** Ends `dropConnection`: reconnects at once (and with backoff if the broker is away). */
  resumeConnection(): void {
    const held = this.heldDown;
    this.heldDown = undefined;
    held?.release();
  }

  private prepare(m: OutgoingMessage): WireMessage {
    let ctx = context.active();
    const explicit = validCorrelationId(m.opts?.correlationId);
    const correlationId = explicit ?? correlationIdOf(ctx);
    if (explicit !== undefined && explicit !== correlationIdOf(ctx)) ctx = withCorrelationId(ctx, explicit);
    if (m.opts?.suppressTracing) ctx = suppressTracing(ctx);
    const { content, options } = buildOutgoing(m.payload, m.opts, correlationId);
    propagation.inject(ctx, options.headers);
    return { exchange: m.exchange, routingKey: m.routingKey, content, options, ctx };
  }

  private async connectLoop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    try {
      while (!this.closing) {
        if (this.heldDown) {
          await this.heldDown.released;
          continue;
        }
        try {
          await this.connectOnce();
          return;
        } catch (err) {
          if (this.closing) return;
          const delayMs = this.backoff.next();
          this.logger.warn({ err, broker: brokerOf(this.url), delayMs }, 'messaging: cannot connect to the broker; retrying');
          const wait = cancellableDelay(delayMs);
          this.sleeping = wait;
          await wait.promise;
          this.sleeping = undefined;
        }
      }
    } finally {
      this.looping = false;
    }
  }

  private async connectOnce(): Promise<void> {
    const conn = await amqp.connect(this.url, {
      clientProperties: { connection_name: this.opts.connectionName },
      timeout: 10_000,
      // no Nagle: a confirm round trip must not wait for the broker's delayed ACK; frames are
      // batched into one write per turn of the event loop already (coalesceWrites)
      noDelay: true,
    });
    if (!coalesceWrites(conn)) this.logger.debug({}, 'messaging: amqplib internals not as expected; frames are written one by one');
    let lost = false;
    conn.on('error', (err: unknown) => this.logger.warn({ err }, 'messaging: connection error'));
    conn.on('close', (err?: unknown) => {
      lost = true;
      this.onConnectionClosed(conn, err);
    });
    conn.on('blocked', (reason: string) => {
      this.logger.warn({ reason }, 'messaging: the broker blocked publishing (resource alarm)');
      this.emit('blocked', reason);
    });
    conn.on('unblocked', () => {
      this.logger.info({}, 'messaging: the broker unblocked publishing');
      this.emit('unblocked');
    });
    try {
      await this.publisher.open(conn);
      // topology first, then consumers; again if either was added meanwhile (the connection is not public yet)
      const declared = new Set<TopologyDeclaration>();
      do {
        await this.declareAll(conn, declared);
        await this.subscribeAll(conn);
      } while (!lost && this.topologies.some((t) => !declared.has(t)));
      if (lost) throw new Error('connection closed during setup');
    } catch (err) {
      this.detachAll();
      void conn.close().catch(() => undefined);
      throw err;
    }
    if (this.closing) {
      this.detachAll();
      await conn.close().catch(() => undefined);
      return;
    }
    if (this.heldDown) {
      // dropConnection() came while this connection was being set up
      this.detachAll();
      void conn.close().catch(() => undefined);
      throw new MessagingError('not_connected', 'connection held down by a fault (faults.brokerDisconnect)');
    }
    this.conn = conn;
    this.backoff.reset();
    this.logger.info({ broker: brokerOf(this.url), connectionName: this.opts.connectionName }, 'messaging: connected');
    this.emit('connected');
    this.firstConnect?.resolve();
    this.firstConnect = undefined;
  }

  private onConnectionClosed(conn: ChannelModel, err: unknown): void {
    if (this.conn !== conn) return; // during setup (connectOnce retries) or after close()
    this.conn = undefined;
    this.detachAll();
    const reason = err === undefined || err === null ? 'connection closed' : errorMessage(err);
    this.logger.warn({ err, broker: brokerOf(this.url) }, 'messaging: connection lost; reconnecting');
    this.emit('disconnected', reason);
    if (!this.closing) void this.connectLoop();
  }

  /** Subscribes every consumer, including ones added while this runs. */
  private async subscribeAll(conn: ChannelModel): Promise<void> {
    for (;;) {
      const pending = [...this.consumers].filter((c) => !c.isAttachedTo(conn));
      if (pending.length === 0) return;
      await Promise.all(pending.map((c) => c.subscribeOrRetry(conn)));
    }
  }

  private detachAll(): void {
    this.publisher.detach();
    for (const c of this.consumers) c.detach();
  }

  /** Declares every registered topology not in `done` yet, including ones added while this runs. */
  private async declareAll(conn: ChannelModel, done: Set<TopologyDeclaration>): Promise<void> {
    for (;;) {
      const declare = this.topologies.find((t) => !done.has(t));
      if (declare === undefined) return;
      done.add(declare);
      try {
        await runDeclaration(conn, declare);
      } catch (err) {
        if (!isMessagingError(err) || err.replyCode === undefined) throw err; // connection trouble: retry the whole setup
        this.logger.error({ err }, 'messaging: a topology declaration failed after reconnect');
      }
    }
  }
}
