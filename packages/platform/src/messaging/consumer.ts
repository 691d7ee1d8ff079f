import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { cancellableDelay, reconnectBackoff } from '../util/backoff.js';
import { consumerContext } from './correlation.js';
import { MessagingError, errorMessage, replyCodeOf } from './errors.js';
import { AckBook } from './acks.js';
import type { Delivery } from './acks.js';
import { DeliveredMessage } from './message.js';
import type { MessagingMetrics } from './metrics.js';
import type { ConsumeOptions, ConsumerHandle, FailureAction, FailurePolicy, LoggerLike, MessageHandler } from './types.js';

export interface ConsumerDeps {
  readonly logger: LoggerLike;
  readonly metrics: MessagingMetrics;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly closeTimeoutMs: number;
  /** Called once the consumer is cancelled, so the owner forgets it. */
  readonly onCancelled: (c: Consumer) => void;
}

export interface ConsumerSettings {
  readonly prefetch: number;
  readonly consumerTag: string | undefined;
  readonly onError: FailurePolicy;
  /** Group commit (see `ConsumeOptions.transaction`); `undefined`: each handler starts at once. */
  readonly transaction: ((run: () => void) => void) | undefined;
}

const rejectAll: FailurePolicy = () => 'reject';

export function consumerSettings(opts: ConsumeOptions = {}): ConsumerSettings {
  return { prefetch: opts.prefetch ?? 16, consumerTag: opts.consumerTag, onError: opts.onError ?? rejectAll, transaction: opts.transaction };
}

/** Deliveries whose handlers start together in one `transaction` call, and whether it committed. */
interface Batch {
  committed: boolean;
}

/** Waits for a set of promises, at most `ms`; resolves `false` on timeout. */
export async function settledWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<boolean> {
  const all = [...promises];
  if (all.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([Promise.allSettled(all).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One subscription on its own channel. Survives reconnects (the owner calls `subscribe` with the
 * new connection) and channel loss on a live connection (re-subscribes with backoff), and
 * acks/nacks on the channel that delivered the message: a delivery tag is only valid there.
 * Acks are batched per channel (`AckBook`); with `transaction`, the handlers of the deliveries
 * that arrived in one turn of the event loop start inside one call of it (group commit).
 */
export class Consumer implements ConsumerHandle {
  private channel: Channel | undefined;
  private book: AckBook | undefined;
  private tag: string | undefined;
  private conn: ChannelModel | undefined;
  private cancelled = false;
  private retry: { cancel(): void } | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private queued: Array<{ book: AckBook; delivery: Delivery; active: Context; resolve: () => void; reject: (err: unknown) => void }> = [];

  constructor(
    readonly queue: string,
    private readonly handler: MessageHandler,
    private readonly settings: ConsumerSettings,
    private readonly deps: ConsumerDeps,
  ) {}

  get consumerTag(): string | undefined {
    return this.tag;
  }

  /** Whether it has subscribed (or is retrying) on `conn`; a cancelled consumer needs nothing. */
  isAttachedTo(conn: ChannelModel): boolean {
    return this.cancelled || this.conn === conn;
  }

  /** Subscribes on `conn`; rejects with `consume_failed` when the broker refuses (e.g. no such queue). */
  async subscribe(conn: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    this.conn = conn;
    const ch = await conn.createChannel();
    let refused: unknown;
    ch.on('error', (err: unknown) => {
      refused = err;
      this.deps.logger.warn({ err, queue: this.queue }, 'messaging: the broker closed a consumer channel');
    });
    ch.on('close', () => this.onChannelClosed(conn, ch));
    const book = new AckBook(ch, (err) => {
      this.deps.logger.debug({ err, queue: this.queue }, 'messaging: could not settle a message; the broker will redeliver it');
    });
    try {
      await ch.prefetch(this.settings.prefetch);
      const options: Options.Consume = this.settings.consumerTag === undefined ? {} : { consumerTag: this.settings.consumerTag };
      const { consumerTag } = await ch.consume(this.queue, (msg) => this.onMessage(ch, book, msg), options);
      if (this.cancelled || this.conn !== conn) {
        // cancelled (or the connection replaced) while subscribing: do not leave a live consumer behind
        await ch.close().catch(() => undefined);
        return;
      }
      this.channel = ch;
      this.book = book;
      this.tag = consumerTag;
    } catch (err) {
      void ch.close().catch(() => undefined);
      const cause = refused ?? err;
      const replyCode = replyCodeOf(cause);
      throw new MessagingError('consume_failed', `cannot consume from "${this.queue}": ${errorMessage(cause)}`, {
        cause,
        ...(replyCode === undefined ? {} : { replyCode }),
      });
    }
  }

  /** The connection is gone; in-flight handlers finish but cannot ack (the broker redelivers). */
  detach(): void {
    this.conn = undefined;
    this.channel = undefined;
    this.book = undefined;
    this.tag = undefined;
    this.retry?.cancel();
  }

  /** Stops intake without closing the channel, so in-flight handlers can still ack. */
  async stopIntake(): Promise<void> {
    this.cancelled = true;
    this.retry?.cancel();
    const { channel, tag } = this;
    if (channel && tag !== undefined) {
      await channel.cancel(tag).catch((err: unknown) => this.deps.logger.debug({ err, queue: this.queue }, 'messaging: cancel failed'));
    }
  }

  /** Waits for running handlers, at most `ms`. */
  async drain(ms: number): Promise<boolean> {
    const ok = await settledWithin(this.inflight, ms);
    if (!ok) this.deps.logger.warn({ queue: this.queue, inflight: this.inflight.size }, 'messaging: handlers still running after the close timeout');
    this.book?.flush();
    return ok;
  }

  async closeChannel(): Promise<void> {
    const ch = this.channel;
    this.book?.flush(); // acks made so far go out before the close
    this.detach();
    if (ch) await ch.close().catch(() => undefined);
  }

  async cancel(): Promise<void> {
    await this.stopIntake();
    await this.drain(this.deps.closeTimeoutMs);
    await this.closeChannel();
    this.deps.onCancelled(this);
  }

  /** Like `subscribe`, but on failure logs and keeps retrying in the background (used after reconnects). */
  async subscribeOrRetry(conn: ChannelModel): Promise<void> {
    try {
      await this.subscribe(conn);
    } catch (err) {
      this.deps.logger.error({ err, queue: this.queue }, 'messaging: could not re-subscribe after reconnect; retrying');
      void this.resubscribe(conn);
    }
  }

  private onMessage(ch: Channel, book: AckBook, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // the broker cancelled us (queue deleted or failed over): drop the channel and subscribe again
      this.deps.logger.warn({ queue: this.queue }, 'messaging: the broker cancelled the consumer; re-subscribing');
      this.tag = undefined;
      void ch.close().catch(() => undefined);
      return;
    }
    const delivery = book.track(msg);
    // amqplib's callback context: with the amqplib instrumentation it holds the consumer span
    const active = context.active();
    let handled: Promise<void>;
    if (this.settings.transaction === undefined) {
      handled = this.handle(book, delivery, active, undefined);
    } else {
      handled = new Promise<void>((resolve, reject) => {
        if (this.queued.push({ book, delivery, active, resolve, reject }) === 1) setImmediate(() => this.runBatch());
      });
    }
    const tracked = handled.catch((err: unknown) => {
      // only a bug in this module gets here; never let it become an unhandled rejection
      this.deps.logger.error({ err, queue: this.queue }, 'messaging: internal error while handling a message');
    });
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  /**
   * Group commit: starts the handlers of the deliveries queued since the last batch inside one
   * `transaction` call, so their synchronous parts (the effect, the processed-message record,
   * the outbox row) commit together. A message is acked only once its handler resolved and the
   * batch committed; if the transaction throws, every message of the batch is requeued.
   */
  private runBatch(): void {
    const items: typeof this.queued = [];
    for (const it of this.queued) {
      // its channel is gone (connection lost): the broker has put the message back already
      if (it.book === this.book) items.push(it);
      else it.resolve();
    }
    this.queued = [];
    if (items.length === 0) return;
    const batch: Batch = { committed: false };
    let started = 0;
    try {
      this.settings.transaction!(() => {
        for (const it of items) {
          started++;
          this.handle(it.book, it.delivery, it.active, batch).then(it.resolve, it.reject);
        }
      });
      batch.committed = true;
    } catch (err) {
      this.deps.logger.error({ err, queue: this.queue, messages: items.length }, 'messaging: the batch transaction failed; its messages are requeued');
      for (const it of items.slice(started)) {
        it.book.nack(it.delivery, true);
        this.deps.metrics.consumed(this.queue, 'error', 'requeue', 0);
        it.resolve();
      }
    }
  }

  /** Runs synchronously up to the handler's first await. */
  private async handle(book: AckBook, delivery: Delivery, active: Context, batch: Batch | undefined): Promise<void> {
    const started = process.hrtime.bigint();
    const msg = delivery.msg;
    const { ctx, correlationId } = consumerContext(active, msg.properties.headers ?? {});
    const message = new DeliveredMessage(msg, correlationId);
    await context.with(ctx, async () => {
      let action: FailureAction = 'ack';
      let failed = false;
      try {
        await this.handler(message);
      } catch (err) {
        failed = true;
        action = this.decide(err, message);
        this.deps.logger.warn(
          { err, queue: this.queue, messageId: message.messageId, routingKey: message.routingKey, correlationId, action },
          'messaging: message handler failed',
        );
      }
      if (batch !== undefined && !batch.committed) {
        // the handler's effect was rolled back with its batch: try again
        failed = true;
        action = 'requeue';
      }
      if (action === 'ack') book.ack(delivery);
      else book.nack(delivery, action === 'requeue');
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.deps.metrics.consumed(this.queue, failed ? 'error' : 'success', action, seconds);
    });
  }

  private decide(err: unknown, message: DeliveredMessage): FailureAction {
    try {
      const action = this.settings.onError(err, message);
      return action === 'ack' || action === 'requeue' ? action : 'reject';
    } catch (policyErr) {
      this.deps.logger.error({ err: policyErr, queue: this.queue }, 'messaging: onError policy threw; rejecting the message');
      return 'reject';
    }
  }

  private onChannelClosed(conn: ChannelModel, ch: Channel): void {
    if (this.channel !== ch) return;
    this.channel = undefined;
    this.book = undefined;
    this.tag = undefined;
    // after a connection loss the owner re-subscribes; here only the channel died on a live connection
    setImmediate(() => {
      if (!this.cancelled && this.conn === conn) void this.resubscribe(conn);
    });
  }

  private async resubscribe(conn: ChannelModel): Promise<void> {
    const backoff = reconnectBackoff(this.deps.minDelayMs, this.deps.maxDelayMs);
    while (!this.cancelled && this.conn === conn && this.channel === undefined) {
      const wait = cancellableDelay(backoff.next());
      this.retry = wait;
      await wait.promise;
      if (this.cancelled || this.conn !== conn) return;
      try {
        await this.subscribe(conn);
        this.deps.logger.info({ queue: this.queue }, 'messaging: consumer re-subscribed');
      } catch (err) {
        this.deps.logger.warn({ err, queue: this.queue }, 'messaging: re-subscribe failed; retrying');
      }
    }
  }
}
