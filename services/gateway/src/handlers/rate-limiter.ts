/** Outcome of taking one token. */
export interface RateDecision {
  readonly allowed: boolean;
  /** Whole tokens left after this request. */
  readonly remaining: number;
  /** Seconds until a token is available (when refused), at least 1. */
  readonly retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per principal (`perSecond` refill, `burst` size). Memory is bounded: past
 * `maxBuckets` the least recently used bucket is dropped (it would be full by then anyway
 * for any client that was not active). Pure apart from the clock passed in.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxBuckets = 10_000) {}

  take(key: string, perSecond: number, burst: number, now = Date.now()): RateDecision {
    let b = this.buckets.get(key);
    if (b === undefined) {
      b = { tokens: burst, at: now };
      if (this.buckets.size >= this.maxBuckets) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      this.buckets.delete(key); // re-insert: Map order is recency order
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, remaining: Math.floor(b.tokens), retryAfterSeconds: 0 };
    }
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
  }

  get size(): number {
    return this.buckets.size;
  }
}
