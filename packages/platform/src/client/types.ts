import type { Readable } from 'node:stream';
import type { InstanceInfo } from '../discovery/types.js';
import type { LoggerLike } from '../discovery/types.js';
import type { MetricsRegistryLike } from '../messaging/types.js';

/** Anything that knows the live instances of one service (a discovery ServiceWatch, or a fixed list in tests). */
export interface InstanceSource {
  instances(): readonly InstanceInfo[];
}

/**
 * The call policies that may change while a client runs. The client reads them per request from
 * `ServiceClientOptions.policy`, so a change applies to the next request; see policy.ts for what
 * happens to breakers and requests in flight.
 */
export interface UpstreamPolicy {
  /** Per-attempt timeout until the response headers arrive, ms. */
  readonly timeoutMs: number;
  /** Extra attempts on another instance (idempotent methods, or requests that never left). */
  readonly retries: number;
  /** Pause before the first retry, ms; doubles for each further retry, at most 10 s. */
  readonly retryBackoffMs: number;
  /** Retries allowed on top of first attempts, as a fraction of recent requests (10 s window). */
  readonly retryBudgetRatio: number;
  /** Retries always allowed per second regardless of the ratio. */
  readonly retryBudgetMinPerSecond: number;
  /** Consecutive transport failures or timeouts that open an instance's breaker. */
  readonly breakerThreshold: number;
  /** Time an open breaker waits before letting one half-open probe through, ms. */
  readonly breakerHalfOpenAfterMs: number;
}

export interface ServiceClientOptions {
  /** Name of the upstream service, for errors, logs and the `upstream_service` metric label. */
  readonly service: string;
  /** Per-attempt timeout until the response headers arrive, ms. @default 2000 */
  readonly timeoutMs?: number;
  /** Longest pause between two body chunks of a response, ms. @default 30000 */
  readonly bodyTimeoutMs?: number;
  /** Extra attempts on another instance (idempotent methods, or requests that never left). @default 2 */
  readonly retries?: number;
  /** Retries allowed on top of first attempts, as a fraction of recent requests (10 s window). @default 0.1 */
  readonly retryBudgetRatio?: number;
  /** Retries always allowed per second regardless of the ratio (so low traffic can still retry). @default 3 */
  readonly retryBudgetMinPerSecond?: number;
  /** Consecutive transport failures or timeouts that open an instance's breaker. @default 5 */
  readonly breakerThreshold?: number;
  /** Time an open breaker waits before letting one half-open probe through, ms. @default 1000 */
  readonly breakerHalfOpenAfterMs?: number;
  /** Pause before the first retry, ms; doubles for each further retry, at most 10 s. @default 0 */
  readonly retryBackoffMs?: number;
  /**
   * The live policy, read at every request (e.g. `upstreamPolicyFrom(rt.config, service)` over the
   * service's `upstreams.<service>` config). Fields it returns replace the options above;
   * `undefined` means "the options". Return the same object while nothing changed: a new object
   * is compared field by field and, when different, logged and applied. @default none (the options)
   */
  readonly policy?: () => Partial<UpstreamPolicy> | undefined;
  /** Consecutive failures (5xx, transport, timeout) that eject an instance. @default 5 */
  readonly ejectAfterFailures?: number;
  /** First ejection time; the n-th ejection in a row lasts n times this, ms. @default 1000 */
  readonly baseEjectionMs?: number;
  /** Cap of the ejection time, ms. @default 30000 */
  readonly maxEjectionMs?: number;
  /** Never eject more than this share of the known instances, percent. @default 50 */
  readonly maxEjectionPercent?: number;
  /** Keep-alive connections per instance. @default 64 */
  readonly connectionsPerInstance?: number;
  /** Registry for the per-instance metrics (none: not measured). */
  readonly registry?: MetricsRegistryLike;
  /** Breaker transitions and ejections are logged here. */
  readonly logger?: LoggerLike;
}

export interface UpstreamRequest {
  readonly method: string;
  /** Path and query, starting with `/`. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Sent as JSON when not a string/Buffer. */
  readonly body?: unknown;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the upstream sent JSON, else the text. */
  readonly body: unknown;
  /** Instance that answered. */
  readonly instanceId: string;
}

/** A request whose body (if any) is streamed through; not replayable, so never retried once sent. */
export interface StreamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** Request body stream (e.g. the incoming request), or nothing. */
  readonly body?: Readable;
}

export interface StreamResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** The response body as it arrives; consume or destroy it. */
  readonly body: Readable;
  readonly instanceId: string;
}
