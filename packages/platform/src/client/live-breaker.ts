import type { IBackoff, IBreaker, IHalfOpenAfterBackoffContext } from 'cockatiel';

/**
 * cockatiel's consecutive-failure breaker strategy with a threshold read at every failure, so a
 * config change applies without rebuilding the breaker (and without losing its state). The count
 * survives a change: lowering the threshold to or below it opens the breaker at the next failure.
 */
export class LiveConsecutiveBreaker implements IBreaker {
  /** Consecutive failures so far (cockatiel's serialisable breaker state). */
  state = 0;

  constructor(private readonly threshold: () => number) {}

  success(): void {
    this.state = 0;
  }

  failure(): boolean {
    return ++this.state >= this.threshold();
  }
}

/**
 * A cockatiel `halfOpenAfter` whose duration is read when the open breaker is asked to run a
 * call: an open breaker waits for the cool-down in force now, measured from when it opened.
 */
export function liveHalfOpenAfter(ms: () => number): { next(context: IHalfOpenAfterBackoffContext): IBackoff<IHalfOpenAfterBackoffContext> } {
  const backoff: IBackoff<IHalfOpenAfterBackoffContext> = {
    get duration() {
      return ms();
    },
    next: () => backoff,
  };
  return { next: () => backoff };
}
