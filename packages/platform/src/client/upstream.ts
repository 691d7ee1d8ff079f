import { Agent } from 'undici';
import { CircuitBreakerPolicy, CircuitState, circuitBreaker, handleWhen } from 'cockatiel';
import type { InstanceInfo, LoggerLike } from '../discovery/types.js';
import { holdOrigin, releaseOrigin } from './client-span.js';
import { classifyTransportError, isTimeoutError, isUpstreamFailure, UpstreamFailure } from './errors.js';
import { LiveConsecutiveBreaker, liveHalfOpenAfter } from './live-breaker.js';
import type { BreakerStateName, ClientMetrics } from './metrics.js';
import { AttemptSignal } from './transport.js';
import type { UpstreamPolicy } from './types.js';

export interface UpstreamSettings {
  readonly service: string;
  /** The live policy (timeout, breaker threshold and cool-down are read from it per call). */
  readonly policy: () => UpstreamPolicy;
  readonly bodyTimeoutMs: number;
  readonly ejectAfterFailures: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
  readonly successesToForgetEjections: number;
  readonly connections: number;
  readonly metrics: ClientMetrics;
  readonly logger: LoggerLike | undefined;
}

/** cockatiel state → the name the gauge and logs use (isolated reads as open). */
export const STATE_NAME: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Open]: 'open',
  [CircuitState.Isolated]: 'open',
};

const abortOnTimeout = (signal: AttemptSignal): void => signal.abort();

/**
 * One instance as the load balancer sees it: a keep-alive pool, outstanding requests, a
 * cockatiel breaker (transport failures and timeouts; half-open probe after a cool-down) around
 * each attempt, a timeout to response headers per attempt, and outlier ejection (consecutive
 * failures of any kind, including 5xx answers; the n-th ejection in a row lasts n × base; after
 * re-admission one more failure ejects again at once). Threshold, cool-down and timeout follow the live policy without
 * rebuilding the breaker: its state (count, open/half-open) carries over a change.
 */
export class Upstream {
  readonly agent: Agent;
  /** `http://host:port` (a new host or port makes a new Upstream, see Balancer.sync). */
  readonly origin: string;
  outstanding = 0;
  private readonly breaker: CircuitBreakerPolicy;
  private breakerState: BreakerStateName = 'closed';
  private openedAt = 0;
  private consecutiveFailures = 0;
  private consecutiveSuccesses = 0;
  private ejections = 0;
  private ejectedUntil = 0;
  private probation = false;
  private closed = false;

  constructor(
    public info: InstanceInfo,
    private readonly s: UpstreamSettings,
  ) {
    this.origin = `http://${info.host}:${info.port}`;
    this.agent = new Agent({ keepAliveTimeout: 4_000, connections: s.connections, pipelining: 1 });
    holdOrigin(this.origin);
    this.breaker = circuitBreaker(handleWhen((e) => isTimeoutError(e) || (isUpstreamFailure(e) && (e.code === 'connect' || e.code === 'reset' || e.code === 'timeout'))), {
      halfOpenAfter: liveHalfOpenAfter(() => s.policy().breakerHalfOpenAfterMs),
      breaker: new LiveConsecutiveBreaker(() => s.policy().breakerThreshold),
    });
    this.breaker.onStateChange((state) => this.onBreaker(STATE_NAME[state]));
    s.metrics.init(s.service, info.instanceId);
  }

  /**
   * Runs one attempt through the breaker, with the live policy's timeout to response headers:
   * when it passes, `signal` aborts (undici fails the request at once) and the attempt fails
   * with an UpstreamFailure `timeout`, which the breaker counts. Once `call` has settled the
   * signal never aborts, so a body still streaming is not cut. Other errors of `call` become
   * an UpstreamFailure (classifyTransportError). One light signal and one timer per attempt:
   * cockatiel's timeout policy cost three AbortControllers, two event subscriptions and a
   * promise race.
   */
  attempt<T>(call: (signal: AttemptSignal) => Promise<T>): Promise<T> {
    return this.breaker.execute(async () => {
      const signal = new AttemptSignal();
      const timer = setTimeout(abortOnTimeout, this.s.policy().timeoutMs, signal);
      try {
        return await call(signal);
      } catch (err) {
        throw signal.aborted ? new UpstreamFailure('timeout', this.id, { cause: err }) : classifyTransportError(err, this.id);
      } finally {
        clearTimeout(timer);
      }
    });
  }

  get id(): string {
    return this.info.instanceId;
  }

  /** Whether the balancer may pick it now: not ejected, breaker closed or due for its half-open probe. */
  available(now: number): boolean {
    if (now < this.ejectedUntil) return false;
    if (this.breakerState === 'closed') return true;
    if (this.breakerState === 'half_open') return false; // the probe is in flight
    return now - this.openedAt >= this.s.policy().breakerHalfOpenAfterMs;
  }

  get isEjected(): boolean {
    return Date.now() < this.ejectedUntil;
  }

  /** Ms until it may be picked again (for Retry-After); 0 when available. */
  waitMs(now: number): number {
    const eject = Math.max(0, this.ejectedUntil - now);
    const breaker = this.breakerState === 'open' ? Math.max(0, this.s.policy().breakerHalfOpenAfterMs - (now - this.openedAt)) : 0;
    return Math.max(eject, breaker);
  }

  succeeded(): void {
    this.consecutiveFailures = 0;
    this.probation = false;
    if (this.ejections > 0 && ++this.consecutiveSuccesses >= this.s.successesToForgetEjections) {
      this.ejections = 0;
      this.consecutiveSuccesses = 0;
    }
  }

  /** Counts a failure; returns true when it ejects the instance (`mayEject` caps the ejected share). */
  failed(mayEject: () => boolean): boolean {
    this.consecutiveSuccesses = 0;
    this.consecutiveFailures++;
    const now = Date.now();
    if (now < this.ejectedUntil) return false;
    if (!this.probation && this.consecutiveFailures < this.s.ejectAfterFailures) return false;
    if (!mayEject()) return false;
    this.ejections++;
    const ms = Math.min(this.s.baseEjectionMs * this.ejections, this.s.maxEjectionMs);
    this.ejectedUntil = now + ms;
    this.consecutiveFailures = 0;
    this.probation = true;
    this.s.metrics.ejected(this.s.service, this.id, true);
    this.s.logger?.warn({ upstream: this.id, service: this.s.service, ejectionMs: ms, ejections: this.ejections }, 'client: instance ejected');
    const timer = setTimeout(() => {
      this.s.metrics.ejected(this.s.service, this.id, false);
      this.s.logger?.info({ upstream: this.id, service: this.s.service }, 'client: instance re-admitted');
    }, ms);
    timer.unref();
    return true;
  }

  close(): Promise<void> {
    if (!this.closed) releaseOrigin(this.origin);
    this.closed = true;
    this.s.metrics.forget(this.s.service, this.id);
    return this.agent.close();
  }

  private onBreaker(state: BreakerStateName): void {
    if (state === this.breakerState) return;
    this.breakerState = state;
    if (state === 'open') this.openedAt = Date.now();
    this.s.metrics.breaker(this.s.service, this.id, state);
    this.s.logger?.info({ upstream: this.id, service: this.s.service, state }, `client: breaker ${state}`);
  }
}
