import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { Balancer } from './balancer.js';
import { classifyTransportError, isUpstreamFailure, toClientError, type UpstreamFailure } from './errors.js';
import { createClientMetrics, type ClientErrorType } from './metrics.js';
import { LivePolicy, logPolicyChange } from './policy.js';
import { RetryBudget } from './retry-budget.js';
import { readBody, send, type RawResponse } from './transport.js';
import type { Upstream } from './upstream.js';
import type {
  InstanceSource,
  ServiceClientOptions,
  StreamRequest,
  StreamResponse,
  UpstreamPolicy,
  UpstreamRequest,
  UpstreamResponse,
} from './types.js';

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
/** Answers that mean "this instance could not serve it now": retried (idempotent only) and counted as failures. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);
/** Longest pause before one retry, ms. */
const MAX_BACKOFF_MS = 10_000;

interface Attempt {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | Buffer | Readable | null;
  /** The body can be sent again (no stream, or none). */
  readonly replayable: boolean;
}

/**
 * Calls one service over its live instances from discovery: power of two choices on outstanding
 * requests, a cockatiel breaker and timeout per instance, outlier ejection, keep-alive pools,
 * and retries on another instance for idempotent requests (any request that never left) within
 * a retry budget. `request()` buffers the answer; `stream()` streams both bodies (the gateway).
 * Failures without an answer become an AppError: 503 `no_upstream` (with Retry-After), 504
 * `upstream_timeout`, 502 `upstream_unavailable`.
 *
 * Timeout, retries, retry budget and breaker settings come from `options.policy` when given
 * (read per request: a live config change applies to the next request, see policy.ts), else from
 * the options.
 */
export class ServiceClient {
  private readonly balancer: Balancer;
  private readonly budget: RetryBudget;
  private readonly metrics;
  private readonly policy: LivePolicy;
  private readonly bodyTimeoutMs: number;

  constructor(source: InstanceSource, private readonly options: ServiceClientOptions) {
    this.metrics = createClientMetrics(options.registry);
    this.bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
    const base: UpstreamPolicy = {
      timeoutMs: options.timeoutMs ?? 2000,
      retries: options.retries ?? 2,
      retryBackoffMs: options.retryBackoffMs ?? 0,
      retryBudgetRatio: options.retryBudgetRatio ?? 0.1,
      retryBudgetMinPerSecond: options.retryBudgetMinPerSecond ?? 3,
      breakerThreshold: options.breakerThreshold ?? 5,
      breakerHalfOpenAfterMs: options.breakerHalfOpenAfterMs ?? 1000,
    };
    this.policy = new LivePolicy(base, options.policy, (next, previous) => logPolicyChange(options.logger, options.service, next, previous));
    const initial = this.policy.current();
    this.budget = new RetryBudget(initial.retryBudgetRatio, initial.retryBudgetMinPerSecond);
    this.balancer = new Balancer(source, {
      service: options.service,
      policy: () => this.policy.current(),
      bodyTimeoutMs: this.bodyTimeoutMs,
      ejectAfterFailures: options.ejectAfterFailures ?? 5,
      baseEjectionMs: options.baseEjectionMs ?? 1000,
      maxEjectionMs: options.maxEjectionMs ?? 30_000,
      successesToForgetEjections: 20,
      connections: options.connectionsPerInstance ?? 64,
      metrics: this.metrics,
      logger: options.logger,
    }, options.maxEjectionPercent ?? 50);
  }

  /** Sends a request and reads the whole answer (JSON parsed). Any HTTP status is a response. */
  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const method = req.method.toUpperCase();
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    let body: string | Buffer | null = null;
    if (req.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
      else {
        body = JSON.stringify(req.body);
        headers['content-type'] = 'application/json';
      }
    }
    const { raw, instanceId } = await this.execute({ method, path: req.path, headers, body, replayable: true });
    return { status: raw.status, headers: raw.headers, body: await readBody(raw), instanceId };
  }

  /** Sends a request with a streamed body (not replayable once sent) and returns the streamed answer. */
  async stream(req: StreamRequest): Promise<StreamResponse> {
    const method = req.method.toUpperCase();
    const { raw, instanceId } = await this.execute({
      method,
      path: req.path,
      headers: { ...(req.headers ?? {}) },
      body: req.body ?? null,
      replayable: req.body === undefined,
    });
    // The consumer may destroy the body early (a client went away); undici then emits 'error'.
    // A permanent listener keeps that from becoming an uncaught exception; consumers still see it.
    raw.body.on('error', () => undefined);
    return { status: raw.status, headers: raw.headers, body: raw.body, instanceId };
  }

  /** The call policy in force (options overlaid with the live policy). */
  currentPolicy(): UpstreamPolicy {
    return this.policy.current();
  }

  /** Live instances with their load-balancer state (for tests and admin views). */
  snapshot(): Array<{ instanceId: string; outstanding: number; ejected: boolean; available: boolean }> {
    const now = Date.now();
    return this.balancer.live().map((u) => ({ instanceId: u.id, outstanding: u.outstanding, ejected: u.isEjected, available: u.available(now) }));
  }

  async close(): Promise<void> {
    await this.balancer.close();
  }

  private async execute(a: Attempt): Promise<{ raw: RawResponse; instanceId: string }> {
    const policy = this.policy.current();
    const retries = policy.retries;
    this.budget.configure(policy.retryBudgetRatio, policy.retryBudgetMinPerSecond);
    this.budget.recordRequest();
    const tried = new Set<string>();
    const idempotent = IDEMPOTENT.has(a.method);
    let last: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && policy.retryBackoffMs > 0) await sleep(Math.min(policy.retryBackoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS));
      const upstream = this.balancer.pick(tried);
      if (!upstream) break;
      tried.add(upstream.id);
      try {
        const raw = await this.once(upstream, a);
        const retryable = RETRYABLE_STATUS.has(raw.status) && idempotent && a.replayable;
        if (retryable && attempt < retries && this.mayRetry(upstream, 'http_5xx')) {
          raw.body.on('error', () => undefined).resume(); // drain: the connection goes back to the pool
          continue;
        }
        return { raw, instanceId: upstream.id };
      } catch (err) {
        last = err;
        const f = isUpstreamFailure(err) ? err : undefined;
        const safe = f !== undefined && f.code !== 'invalid_request' && (f.neverSent ? a.replayable || a.body === null : idempotent && a.replayable);
        if (!safe || attempt >= retries || !this.mayRetry(upstream, f.code)) break;
      }
    }
    throw toClientError(this.options.service, tried.size, last, this.balancer.retryAfterSeconds());
  }

  private mayRetry(from: Upstream, reason: ClientErrorType): boolean {
    if (!this.budget.tryRetry()) {
      this.metrics.budgetExhausted(this.options.service);
      return false;
    }
    this.metrics.retry(this.options.service, from.id, reason);
    return true;
  }

  /** One attempt on one instance through its breaker and timeout; records health and metrics. */
  private async once(u: Upstream, a: Attempt): Promise<RawResponse> {
    const service = this.options.service;
    const start = performance.now();
    u.outstanding++;
    try {
      const raw = await u.attempt((signal) =>
        send(u, { method: a.method, path: a.path, headers: a.headers, body: a.body, signal, bodyTimeoutMs: this.bodyTimeoutMs }));
      const failed = raw.status >= 500;
      this.metrics.request(service, u.id, (performance.now() - start) / 1000, failed ? 'http_5xx' : undefined);
      if (failed) u.failed(() => this.balancer.mayEject());
      else u.succeeded();
      return raw;
    } catch (thrown) {
      const f: UpstreamFailure = classifyTransportError(thrown, u.id);
      this.metrics.request(service, u.id, (performance.now() - start) / 1000, f.code);
      if (f.code !== 'breaker_open' && f.code !== 'invalid_request') u.failed(() => this.balancer.mayEject());
      throw f;
    } finally {
      u.outstanding--;
    }
  }
}
