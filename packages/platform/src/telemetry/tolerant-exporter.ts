import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TolerantExporterOptions {
  /** Name in diagnostics. @default 'span exporter' */
  name?: string;
  /** An export that has not answered after this long is abandoned (spans dropped), ms. @default 2000 */
  timeoutMs?: number;
  /** At most one diag warning per this interval, ms. @default 60000 */
  warnIntervalMs?: number;
}

/**
 * Wraps an exporter so that a dead backend costs nothing but the spans: a failed or slow export
 * drops its batch, reports success to the batch processor (so the SDK's global error handler is
 * not called once per batch) and writes at most one diag warning per minute with the count of
 * spans dropped since the last warning.
 */
export class TolerantSpanExporter implements SpanExporter {
  private readonly name: string;
  private readonly timeoutMs: number;
  private readonly warnIntervalMs: number;
  private lastWarnAt = Number.NEGATIVE_INFINITY;
  private droppedSinceWarn = 0;
  private droppedTotal = 0;

  constructor(
    private readonly inner: SpanExporter,
    options: TolerantExporterOptions = {},
  ) {
    this.name = options.name ?? 'span exporter';
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.warnIntervalMs = options.warnIntervalMs ?? 60_000;
  }

  /** Spans dropped because their export failed or timed out, since start. */
  get dropped(): number {
    return this.droppedTotal;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let done = false;
    const finish = (result: ExportResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (result.code !== ExportResultCode.SUCCESS) this.onFailure(spans.length, result.error);
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    const timer = setTimeout(
      () => finish({ code: ExportResultCode.FAILED, error: new Error(`export timed out after ${this.timeoutMs} ms`) }),
      this.timeoutMs,
    );
    timer.unref();
    try {
      this.inner.export(spans, finish);
    } catch (err) {
      finish({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  /** Shuts the inner exporter down, waiting for its pending sends at most `timeoutMs`. */
  shutdown(): Promise<void> {
    return this.bounded(() => this.inner.shutdown());
  }

  /** Waits for the inner exporter's pending sends, at most `timeoutMs`. */
  forceFlush(): Promise<void> {
    return this.bounded(() => this.inner.forceFlush?.() ?? Promise.resolve());
  }

  private bounded(op: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.timeoutMs);
      timer.unref();
    });
    let work: Promise<void>;
    try {
      work = op().catch(() => undefined);
    } catch {
      work = Promise.resolve();
    }
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }

  private onFailure(count: number, error: Error | undefined): void {
    this.droppedTotal += count;
    this.droppedSinceWarn += count;
    const now = Date.now();
    if (now - this.lastWarnAt < this.warnIntervalMs) return;
    this.lastWarnAt = now;
    diag.warn(
      `${this.name}: dropped ${this.droppedSinceWarn} span(s), export failing: ${error?.message ?? 'unknown error'} ` +
        `(next warning in ${Math.round(this.warnIntervalMs / 1000)} s at the earliest)`,
    );
    this.droppedSinceWarn = 0;
  }
}
