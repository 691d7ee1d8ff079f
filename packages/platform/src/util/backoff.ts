import { ExponentialBackoff, halfJitterGenerator } from 'cockatiel';
import type { IBackoff } from 'cockatiel';

/** A restartable sequence of reconnect delays. */
export interface BackoffSchedule {
  /** The delay before the next attempt, in ms. */
  next(): number;
  /** Back to the first delay (after a successful connection). */
  reset(): void;
}

/**
 * Exponential backoff with jitter (cockatiel's half jitter): attempt n waits in
 * `[d/2, d)` with `d = min(maxMs, minMs * 2^n)`, so retries spread out but never stall.
 */
export function reconnectBackoff(minMs: number, maxMs: number): BackoffSchedule {
  const factory = new ExponentialBackoff({ initialDelay: minMs, maxDelay: maxMs, generator: halfJitterGenerator });
  let current: IBackoff<unknown> | undefined;
  return {
    next() {
      current = current === undefined ? factory.next() : current.next(undefined);
      return Math.max(1, current.duration);
    },
    reset() {
      current = undefined;
    },
  };
}

/** A `setTimeout` you can cut short; `cancel()` resolves the pending wait at once. */
export function cancellableDelay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let done!: () => void;
  const promise = new Promise<void>((resolve) => {
    done = resolve;
    timer = setTimeout(resolve, ms);
  });
  return {
    promise,
    cancel() {
      clearTimeout(timer);
      done();
    },
  };
}
