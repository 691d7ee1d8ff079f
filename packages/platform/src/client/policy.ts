import type { PlatformConfig, UpstreamConfig } from '../config/schema.js';
import type { LoggerLike } from '../discovery/types.js';
import type { UpstreamPolicy } from './types.js';

const FIELDS: ReadonlyArray<keyof UpstreamPolicy> = [
  'timeoutMs', 'retries', 'retryBackoffMs', 'retryBudgetRatio', 'retryBudgetMinPerSecond', 'breakerThreshold', 'breakerHalfOpenAfterMs',
];

function samePolicy(a: UpstreamPolicy, b: UpstreamPolicy): boolean {
  return FIELDS.every((f) => a[f] === b[f]);
}

/**
 * The policy a client applies now: its options (`base`), overlaid with what the live getter
 * returns. The getter is called on every read; the overlay is only recomputed when it returns a
 * different object, so a read is one call and one comparison while nothing changes.
 *
 * How a change takes effect (read at the next request, nothing is rebuilt in between):
 * - `timeoutMs`: the next attempt; attempts in flight keep the timeout they started with.
 * - `retries`, `retryBackoffMs`, budget: the next request; the budget keeps its 10 s of counts.
 * - `breakerThreshold`: the next failure; each breaker keeps its count of consecutive failures,
 *   so a closed breaker already at or past a lowered threshold opens at its next failure. An open
 *   breaker stays open until its half-open probe.
 * - `breakerHalfOpenAfterMs`: also for breakers already open (their cool-down is measured from
 *   when they opened against the current value), so shortening it releases them sooner.
 */
export class LivePolicy {
  private input: Partial<UpstreamPolicy> | undefined;
  private resolved: UpstreamPolicy;

  constructor(
    private readonly base: UpstreamPolicy,
    private readonly getter: (() => Partial<UpstreamPolicy> | undefined) | undefined,
    private readonly onChange: (next: UpstreamPolicy, previous: UpstreamPolicy) => void = () => undefined,
  ) {
    this.input = getter?.();
    this.resolved = this.overlay(this.input);
  }

  current(): UpstreamPolicy {
    if (this.getter === undefined) return this.resolved;
    const input = this.getter();
    if (input === this.input) return this.resolved;
    this.input = input;
    const next = this.overlay(input);
    if (!samePolicy(next, this.resolved)) {
      const previous = this.resolved;
      this.resolved = next;
      this.onChange(next, previous);
    }
    return this.resolved;
  }

  private overlay(input: Partial<UpstreamPolicy> | undefined): UpstreamPolicy {
    if (input === undefined) return this.base;
    const out: Record<string, number> = { ...this.base };
    for (const f of FIELDS) {
      const v = input[f];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[f] = v;
    }
    return out as unknown as UpstreamPolicy;
  }
}

/** An `upstreams.<service>` config entry as a client policy. */
export function policyFromUpstreamConfig(c: UpstreamConfig): UpstreamPolicy {
  return {
    timeoutMs: c.timeoutMs,
    retries: c.retry.maxAttempts - 1,
    retryBackoffMs: c.retry.backoffMs,
    retryBudgetRatio: c.retry.budgetRatio,
    retryBudgetMinPerSecond: c.retry.budgetMinPerSecond,
    breakerThreshold: c.breaker.consecutiveFailures,
    breakerHalfOpenAfterMs: c.breaker.halfOpenAfterMs,
  };
}

/**
 * The `policy` getter of a client for `service` over a service's live config: the mapped
 * `upstreams.<service>` entry while there is one (the same object until the entry changes),
 * else `undefined` (the client's options apply).
 */
export function upstreamPolicyFrom(config: { readonly current: PlatformConfig }, service: string): () => UpstreamPolicy | undefined {
  let entry: UpstreamConfig | undefined;
  let mapped: UpstreamPolicy | undefined;
  return () => {
    const now = config.current.upstreams[service];
    if (now !== entry) {
      entry = now;
      mapped = now === undefined ? undefined : policyFromUpstreamConfig(now);
    }
    return mapped;
  };
}

/** Logs a policy change once, with the fields that changed (the policy holds no secrets). */
export function logPolicyChange(logger: LoggerLike | undefined, service: string, next: UpstreamPolicy, previous: UpstreamPolicy): void {
  if (!logger) return;
  const changed = Object.fromEntries(FIELDS.filter((f) => next[f] !== previous[f]).map((f) => [f, { from: previous[f], to: next[f] }]));
  logger.info({ service, policy: next, changed }, `client: call policy for ${service} changed (${Object.keys(changed).join(', ')})`);
}
