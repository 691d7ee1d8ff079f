import { context } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { MessagingError, errorMessage, replyCodeOf } from './errors.js';
import type { MessagingMetrics } from './metrics.js';
import type { LoggerLike } from './types.js';

/** One message ready for the wire. `ctx` is the context it is published in (span parent, baggage). */
export interface WireMessage {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  readonly ctx: Context;
}

interface ChannelState {
  readonly ch: ConfirmChannel;
  /** Set when the broker closed the channel (e.g. 404 no such exchange). */
  error: unknown;
}

/**
 * Owns the single confirm channel used for publishing. Re-opens it when the broker closes it
 * (a publish to a missing exchange must not stop everyone else's publishes), waits for
 * 'drain' when the socket buffer is full, and turns confirm callbacks into typed errors.
 */
export class Publisher {
  private state: ChannelState | undefined;
  private conn: ChannelModel | undefined;
  private reopening: Promise<ChannelState | undefined> | undefined;
  private drained: Promise<void> | undefined;
  private readonly unsettled = new Set<Promise<void>>();

  constructor(
    private readonly logger: LoggerLike,
    private readonly metrics: MessagingMetrics,
  ) {}

  get isOpen(): boolean {
    return this.state !== undefined;
  }

  /** Opens the confirm channel on a fresh connection. */
  async open(conn: ChannelModel): Promise<void> {
    this.conn = conn;
    this.state = await this.openChannel(conn);
  }

  /** The connection is gone: pending confirms fail through amqplib's channel 'close'. */
  detach(): void {
    this.conn = undefined;
    this.state = undefined;
    this.reopening = undefined;
    this.drained = undefined;
  }

  /** Publishes one message; resolves when the broker confirmed it. */
  async publish(msg: WireMessage): Promise<void> {
    const state = await this.acquire(msg.exchange);
    if (this.drained) await this.drained;
    return this.write(state, msg);
  }

  /**
   * Writes every message without waiting for confirms (pausing only on a full socket buffer),
   * then waits for all confirms at once. Per-message confirm callbacks rather than
   * `waitForConfirms()`, which would also wait for concurrent publishers' messages.
   */
  async publishBatch(msgs: readonly WireMessage[]): Promise<PromiseSettledResult<void>[]> {
    if (msgs.length === 0) return [];
    let state = await this.acquire(msgs[0]!.exchange, msgs.length);
    const confirms: Promise<void>[] = [];
    for (const msg of msgs) {
      if (this.drained) await this.drained;
      if (this.state !== state) {
        // channel replaced or lost mid-batch: the rest fails fast instead of going to a dead channel
        const next = this.state;
        if (next === undefined) {
          confirms.push(Promise.reject(this.notConnected(msg.exchange)));
          continue;
        }
        state = next;
      }
      confirms.push(this.write(state, msg));
    }
    return Promise.allSettled(confirms);
  }

  /** Waits (bounded) for publishes still awaiting their confirm. */
  async settle(timeoutMs: number): Promise<boolean> {
    if (this.unsettled.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(resolve, timeoutMs, false)));
    const done = Promise.allSettled([...this.unsettled]).then(() => true as const);
    try {
      return await Promise.race([done, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const state = this.state;
    this.detach();
    if (state) await state.ch.close().catch(() => undefined);
  }

  private async acquire(exchange: string, count = 1): Promise<ChannelState> {
    const state = this.state ?? (this.reopening ? await this.reopening : undefined);
    if (state === undefined) throw this.notConnected(exchange, count);
    return state;
  }

  private notConnected(exchange: string, count = 1): MessagingError {
    this.metrics.published(exchange, 'not_connected', count);
    return new MessagingError('not_connected', 'not connected to the broker: message not sent');
  }

  private write(state: ChannelState, msg: WireMessage): Promise<void> {
    const confirmed = new Promise<void>((resolve, reject) => {
      const onConfirm = (err: unknown): void => {
        if (err === null || err === undefined) {
          this.metrics.published(msg.exchange, 'confirmed');
          resolve();
          return;
        }
        const e = this.confirmError(state, err);
        this.metrics.published(msg.exchange, e.code);
        reject(e);
      };
      let writable: boolean;
      try {
        writable = context.with(msg.ctx, () =>
          state.ch.publish(msg.exchange, msg.routingKey, msg.content, msg.options, onConfirm),
        );
      } catch (err) {
        // amqplib throws synchronously once the channel is closed
        this.metrics.published(msg.exchange, 'not_connected');
        reject(new MessagingError('not_connected', `publish channel closed: ${errorMessage(err)}`, { cause: err }));
        return;
      }
      if (!writable) this.waitForDrain(state);
    });
    this.unsettled.add(confirmed);
    const forget = (): void => void this.unsettled.delete(confirmed);
    confirmed.then(forget, forget);
    return confirmed;
  }

  private confirmError(state: ChannelState, err: unknown): MessagingError {
    if (errorMessage(err) === 'message nacked') return new MessagingError('nacked', 'the broker nacked the message');
    if (state.error !== undefined) {
      const replyCode = replyCodeOf(state.error);
      return new MessagingError('channel_error', `publish refused: ${errorMessage(state.error)}`, {
        cause: state.error,
        ...(replyCode === undefined ? {} : { replyCode }),
      });
    }
    return new MessagingError('unconfirmed', 'the connection closed before the broker confirmed the message', { cause: err });
  }

  /** Channel-level flow control: later publishes wait until the socket buffer drains (or the channel dies). */
  private waitForDrain(state: ChannelState): void {
    if (this.drained) return;
    const ch = state.ch;
    const p = new Promise<void>((resolve) => {
      const done = (): void => {
        ch.off('drain', done);
        ch.off('close', done);
        if (this.drained === p) this.drained = undefined;
        resolve();
      };
      ch.on('drain', done);
      ch.on('close', done);
    });
    this.drained = p;
  }

  private async openChannel(conn: ChannelModel): Promise<ChannelState> {
    const ch = await conn.createConfirmChannel();
    const state: ChannelState = { ch, error: undefined };
    ch.on('error', (err: unknown) => {
      state.error = err;
      this.logger.warn({ err, replyCode: replyCodeOf(err) }, 'messaging: the broker closed the publish channel');
    });
    ch.on('close', () => {
      if (this.state !== state) return;
      this.state = undefined;
      // Only a broker-closed channel (an 'error' came first) is re-opened here, at once, so the
      // next publish waits for it. Without an error the connection is going away (or we closed
      // it): reconnecting is the connection's business.
      if (state.error !== undefined && this.conn === conn) this.reopen(conn);
    });
    return state;
  }

  private reopen(conn: ChannelModel): void {
    const attempt = this.openChannel(conn).then(
      (state) => {
        if (this.conn !== conn) {
          void state.ch.close().catch(() => undefined);
          return undefined;
        }
        this.state = state;
        this.logger.info({}, 'messaging: publish channel re-opened');
        return state;
      },
      (err: unknown) => {
        this.logger.warn({ err }, 'messaging: could not re-open the publish channel; publishing resumes after reconnect');
        return undefined;
      },
    );
    this.reopening = attempt;
    void attempt.finally(() => {
      if (this.reopening === attempt) this.reopening = undefined;
    });
  }
}
