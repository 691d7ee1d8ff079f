/**
 * A retry budget over a sliding window: retries may add at most `ratio` of the recent first
 * attempts (plus `minPerSecond` so a quiet client can still retry). Counted in one-second
 * buckets; O(1) per call.
 */
export class RetryBudget {
  private readonly requests: number[];
  private readonly retries: number[];
  private bucketStart = 0;
  private index = 0;

  constructor(
    private ratio: number,
    private minPerSecond: number,
    private readonly windowSeconds = 10,
  ) {
    this.requests = new Array<number>(windowSeconds).fill(0);
    this.retries = new Array<number>(windowSeconds).fill(0);
  }

  /** Changes the allowance; the counts of the window are kept. */
  configure(ratio: number, minPerSecond: number): void {
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
  }

  /** Counts a first attempt. */
  recordRequest(now = Date.now()): void {
    this.roll(now);
    this.requests[this.index]! += 1;
  }

  /** Takes one retry from the budget if there is one left. */
  tryRetry(now = Date.now()): boolean {
    this.roll(now);
    const reqs = this.requests.reduce((a, b) => a + b, 0);
    const used = this.retries.reduce((a, b) => a + b, 0);
    if (used >= reqs * this.ratio + this.minPerSecond * this.windowSeconds) return false;
    this.retries[this.index]! += 1;
    return true;
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (this.bucketStart === 0) this.bucketStart = second;
    const steps = Math.min(second - this.bucketStart, this.windowSeconds);
    for (let i = 0; i < steps; i++) {
      this.index = (this.index + 1) % this.windowSeconds;
      this.requests[this.index] = 0;
      this.retries[this.index] = 0;
    }
    if (second > this.bucketStart) this.bucketStart = second;
  }
}
