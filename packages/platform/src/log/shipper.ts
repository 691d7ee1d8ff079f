import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Counter, type OpenMetricsContentType, type PrometheusContentType, type Registry } from 'prom-client';
import { METRIC_LOG_LINES_DROPPED, METRIC_LOG_LINES_SHIPPED } from '../semconv.js';
import { LineQueue } from './line-queue.js';

/** Sends one batch of log lines (JSON, no trailing newline); resolves once the broker has it. */
export type PublishLines = (lines: string[]) => Promise<void>;

export interface LogShipperOptions {
  /** Most lines in one published batch. @default 500 */
  maxBatchLines?: number;
  /** Longest a line waits for its batch to fill before the batch ships anyway, ms. @default 200 */
  maxDelayMs?: number;
  /** Most lines held while nothing is attached or publishing fails; beyond it the oldest are dropped. @default 10000 */
  maxBufferedLines?: number;
  /** Delay before the first retry of a failed batch; doubled per consecutive failure. @default 100 */
  retryDelayMs?: number;
  /** Upper bound of the retry delay, ms. @default 5000 */
  maxRetryDelayMs?: number;
  /** A publish that has not settled after this long counts as failed, ms. @default 10000 */
  publishTimeoutMs?: number;
  /** Registry for `brewops_log_lines_shipped_total` and `brewops_log_lines_dropped_total`. */
  registry?: AnyRegistry;
  /**
   * Told about each failed publish. It runs outside the request path; it must not log through
   * a logger that ships to this shipper at a rate proportional to failures.
   */
  onError?: (err: unknown) => void;
}

type TimerKind = 'now' | 'batch' | 'retry';
type AnyRegistry = Registry<PrometheusContentType> | Registry<OpenMetricsContentType>;

function counter(registry: AnyRegistry, name: string, help: string): Counter {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, registers: [registry] });
}

/**
 * A pino destination that ships log lines in batches to a publish function attached later
 * (once the AMQP channel is up). Lines wait in a bounded buffer while nothing is attached or
 * publishing fails; on overflow the oldest are dropped and counted. A failed batch goes back to
 * the head of the buffer and is retried with exponential backoff, so order is kept and nothing
 * is lost once publishing recovers (unless it overflowed). `write` never blocks and never throws.
 */
export class LogShipper {
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxBuffered: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly publishTimeoutMs: number;
  private readonly onError: ((err: unknown) => void) | undefined;
  private readonly shippedCounter: Counter | undefined;
  private readonly droppedCounter: Counter | undefined;

  private readonly queue = new LineQueue();
  private publishFn: PublishLines | undefined;
  private inFlight = false;
  private timer: NodeJS.Timeout | undefined;
  private timerKind: TimerKind | undefined;
  private failures = 0;
  private waiters: Array<() => void> = [];
  private droppedCount = 0;
  private shippedCount = 0;
  /** The last publish failure, if the latest publish failed. */
  lastError: unknown = undefined;

  constructor(options: LogShipperOptions = {}) {
    this.maxBatch = Math.max(1, options.maxBatchLines ?? 500);
    this.maxDelayMs = options.maxDelayMs ?? 200;
    this.maxBuffered = Math.max(1, options.maxBufferedLines ?? 10_000);
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.onError = options.onError;
    if (options.registry) {
      this.shippedCounter = counter(options.registry, METRIC_LOG_LINES_SHIPPED, 'Log lines published to the log exchange.');
      this.droppedCounter = counter(
        options.registry,
        METRIC_LOG_LINES_DROPPED,
        'Log lines dropped because the shipping buffer was full.',
      );
    }
  }

  /** Lines dropped on overflow since start. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Lines published successfully since start. */
  get shipped(): number {
    return this.shippedCount;
  }

  /** Lines waiting to be shipped (not counting a batch being published). */
  get buffered(): number {
    return this.queue.length;
  }

  get attached(): boolean {
    return this.publishFn !== undefined;
  }

  /** pino destination entry point: one serialized line per call. */
  write(chunk: string | Uint8Array): boolean {
    let line = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (line.endsWith('\n')) line = line.slice(0, -1);
    if (line.length === 0) return true;
    this.queue.push(line);
    const over = this.queue.length - this.maxBuffered;
    if (over > 0) this.countDropped(this.queue.dropOldest(over));
    this.schedule();
    return true;
  }

  /** Starts shipping through `publish` (e.g. once the AMQP channel is open); retries start afresh. */
  attach(publish: PublishLines): void {
    this.publishFn = publish;
    this.failures = 0;
    if (this.timerKind === 'retry') this.clearTimer();
    this.schedule();
  }

  /** Stops shipping (e.g. the channel closed); lines keep buffering. */
  detach(): void {
    this.publishFn = undefined;
    this.clearTimer();
    this.releaseWaiters();
  }

  /**
   * Tries to ship everything buffered, for shutdown. Resolves when the buffer is empty, when
   * nothing is attached, or after `timeoutMs`, whichever comes first. Never rejects.
   */
  flush(timeoutMs = 2_000): Promise<void> {
    if (!this.publishFn || (this.queue.length === 0 && !this.inFlight)) return Promise.resolve();
    return new Promise((resolve) => {
      // Not unref'd: a process awaiting flush on shutdown stays up until it is done or timed out.
      const timeout = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timeout);
        resolve();
      };
      this.waiters.push(done);
      if (this.timerKind === 'batch') this.clearTimer();
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.publishFn || this.inFlight || this.queue.length === 0) return;
    if (this.timerKind === 'retry' || this.timerKind === 'now') return;
    if (this.queue.length >= this.maxBatch || this.waiters.length > 0) {
      this.clearTimer();
      this.setTimer('now', 0);
    } else if (this.timer === undefined) {
      this.setTimer('batch', this.maxDelayMs);
    }
  }

  private setTimer(kind: TimerKind, ms: number): void {
    this.timerKind = kind;
    // Timers are created in the root context so they do not keep a request's context alive.
    this.timer = context.with(ROOT_CONTEXT, () => setTimeout(() => this.shipNext(), ms));
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerKind = undefined;
  }

  private shipNext(): void {
    this.clearTimer();
    const publish = this.publishFn;
    if (!publish || this.inFlight) return;
    if (this.queue.length === 0) {
      this.releaseWaiters();
      return;
    }
    const batch = this.queue.take(this.maxBatch);
    this.inFlight = true;
    let settled = false;
    const finish = (ok: boolean, err?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      this.inFlight = false;
      if (ok) this.onShipped(batch);
      else this.onFailed(batch, err);
    };
    const timeout = setTimeout(
      () => finish(false, new Error(`log batch publish timed out after ${this.publishTimeoutMs} ms`)),
      this.publishTimeoutMs,
    );
    timeout.unref();
    let result: Promise<void>;
    try {
      // Shipping must not create spans (or it would trace itself, batch after batch).
      result = context.with(suppressTracing(ROOT_CONTEXT), () => publish(batch));
    } catch (err) {
      result = Promise.reject(err);
    }
    Promise.resolve(result).then(
      () => finish(true),
      (err: unknown) => finish(false, err),
    );
  }

  private onShipped(batch: string[]): void {
    this.failures = 0;
    this.lastError = undefined;
    this.shippedCount += batch.length;
    this.shippedCounter?.inc(batch.length);
    if (this.queue.length === 0) this.releaseWaiters();
    else this.schedule();
  }

  private onFailed(batch: string[], err: unknown): void {
    this.queue.unshift(batch);
    const over = this.queue.length - this.maxBuffered;
    if (over > 0) this.countDropped(this.queue.dropOldest(over));
    this.failures++;
    this.lastError = err;
    if (this.onError) {
      try {
        this.onError(err);
      } catch {
        // an observer must not break shipping
      }
    }
    if (!this.publishFn) return;
    const base = Math.min(this.retryDelayMs * 2 ** (this.failures - 1), this.maxRetryDelayMs);
    this.setTimer('retry', Math.round(base * (0.8 + Math.random() * 0.4)));
  }

  private countDropped(n: number): void {
    if (n <= 0) return;
    this.droppedCount += n;
    this.droppedCounter?.inc(n);
  }

  private releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
