/** A token bucket over an injected clock: `capacity` burst, refilled at `perMinute`. Pure. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private perMinute: number, private capacity: number, now: number) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Applies a new rate and burst (live config), keeping the tokens it has up to the new burst. */
  configure(perMinute: number, capacity: number): void {
    this.perMinute = perMinute;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  /** Takes one token if there is one. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.perMinute) / 60_000);
  }
}
