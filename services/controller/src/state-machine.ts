import type { BackoffConfig, RulesConfig } from './config.js';

/**
 * Per-instance lifecycle: healthy → suspect → rerouted → restarting → recovering → verifying →
 * healthy. `verifying`: reinstated (back in traffic), the incident still open until the instance
 * stayed ready and within the SLO for `rules.verifyWindowMs`.
 */
export const INSTANCE_STATES = ['healthy', 'suspect', 'rerouted', 'restarting', 'recovering', 'verifying'] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];
export type ActionKind = 'reroute' | 'restart' | 'reinstate';

/** Alert names the traffic signal (each instance's own /metrics) raises, besides Alertmanager's. */
export const TRAFFIC_SIGNALS = { errors: 'error_ratio', slow: 'latency', memory: 'memory' } as const;
/** Alert names the Prometheus signal raises (the same measures from Prometheus' series), so the timeline names the source. */
export const PROMETHEUS_SIGNALS = { errors: 'prom_error_ratio', slow: 'prom_latency' } as const;
/** The traffic signals that measure the SLO itself: one firing during verification is `slo_breached`. */
const SLO_SIGNALS: ReadonlySet<string> = new Set([TRAFFIC_SIGNALS.errors, TRAFFIC_SIGNALS.slow, PROMETHEUS_SIGNALS.errors, PROMETHEUS_SIGNALS.slow]);

/** What the controller observed about one instance. */
export type Signal =
  | { readonly type: 'probe'; readonly ok: boolean; readonly detail?: string }
  | { readonly type: 'lease_lost' }
  | { readonly type: 'registered' }
  | { readonly type: 'alert'; readonly name: string; readonly firing: boolean };

/** Something the machine noticed or did; the incident timeline is made of these. */
export interface MachineEvent {
  readonly type: 'suspect' | 'cleared' | 'lease_lost' | 'registered' | 'alert' | 'state' | 'flagged' | 'recovery_timeout'
    | 'verified' | 'verification_failed';
  readonly detail: string;
  readonly from?: InstanceState;
  readonly to?: InstanceState;
  /** For `verified`: when the instance went back into traffic for good (the window that passed began). */
  readonly verifyingSince?: number;
}

export interface Proposal {
  readonly action: ActionKind;
  readonly reason: string;
}

export interface MachineRules {
  readonly rules: RulesConfig;
  readonly backoff: BackoffConfig;
}

/** Delay before the next restart when `restartsInWindow` restarts happened already: 0, base, 2·base, … ≤ max. */
export function backoffDelay(restartsInWindow: number, b: BackoffConfig): number {
  if (restartsInWindow <= 0) return 0;
  return Math.min(b.baseDelayMs * 2 ** (restartsInWindow - 1), b.maxDelayMs);
}

/**
 * The decision logic of one instance, pure: signals and the clock go in, events and proposed
 * actions come out. Guards (last healthy instance, max share, rate limit) and side effects
 * live outside; the caller reports each action's start and result.
 */
export class InstanceMachine {
  private s: InstanceState = 'healthy';
  private failures = 0;
  private successes = 0;
  private lost = false;
  private readonly alerts = new Set<string>();
  private reroutedAt = 0;
  private restartedAt = 0;
  private restartTimes: number[] = [];
  private nextRestartAt = 0;
  private flag: string | null = null;
  private inFlight: ActionKind | null = null;
  private overrideWritten = false;
  /** Start of the current verification window. */
  private verifyingSince = 0;
  /**
   * Why the last verification failed, until a restart or a verification that passes. While set,
   * a suspect instance is rerouted at once, and a rerouted one is restarted before it may be
   * reinstated: without that, reroute → ready → reinstate → breach could loop with no restart,
   * out of reach of `backoff.maxRestarts`.
   */
  private failedVerification: string | null = null;
  /** Time of the last ready probe (failure began after it). */
  lastOkAt: number;

  constructor(now: number) {
    this.lastOkAt = now;
  }

  get state(): InstanceState { return this.s; }
  get leaseLost(): boolean { return this.lost; }
  get flagged(): string | null { return this.flag; }
  get pending(): ActionKind | null { return this.inFlight; }
  /** Whether this machine wrote an OUT_OF_SERVICE override that is still in place. */
  get isRerouted(): boolean { return this.overrideWritten; }
  /** Counts against a service's share of instances out of service (a verifying one is back in traffic). */
  get isOut(): boolean { return this.overrideWritten || this.s === 'restarting' || this.s === 'recovering' || this.inFlight === 'reroute'; }
  /**
   * Routable and answering: what the last-healthy guard counts. A verifying instance is: it is in
   * traffic and ready, so a peer may be rerouted, and if it then breaches while it is the last one
   * in traffic, its own reroute is refused like any last healthy instance's.
   */
  get isHealthy(): boolean { return (this.s === 'healthy' || this.s === 'verifying') && !this.lost; }

  observe(signal: Signal, now: number, r: MachineRules): MachineEvent[] {
    const out: MachineEvent[] = [];
    switch (signal.type) {
      case 'probe':
        if (signal.ok) {
          this.lastOkAt = now;
          this.failures = 0;
          this.successes++;
          if (this.s === 'suspect' && !this.lost && this.alerts.size === 0 && this.inFlight === null) {
            if (this.failedVerification === null) {
              this.move('healthy', 'ready again before any action', out);
              out.push({ type: 'cleared', detail: 'transient: ready again' });
            } else {
              // its reroute was refused (e.g. the last instance in traffic): it recovered in place,
              // which counts only once verified like any recovery
              this.verify(now, r, 'ready again in traffic after the failed verification', out);
            }
          }
        } else {
          this.successes = 0;
          this.failures++;
          if (this.failures >= r.rules.suspectAfterFailures) {
            const why = `${this.failures} failed probes (${signal.detail ?? 'not ready'})`;
            if (this.s === 'healthy') this.suspect(why, out);
            else if (this.s === 'verifying') this.failVerification(`not_ready: ${why}`, now, r, out);
          }
        }
        break;
      case 'lease_lost':
        if (this.lost) break;
        this.lost = true;
        this.successes = 0;
        out.push({ type: 'lease_lost', detail: 'registration vanished from etcd' });
        if (this.s === 'healthy') this.suspect('lease lost', out);
        else if (this.s === 'verifying') this.failVerification('lease_lost', now, r, out);
        break;
      case 'registered':
        if (!this.lost) break;
        this.lost = false;
        this.successes = 0; // only probes of the new registration prove recovery
        // Alerts arrive late (scrape, `for:`, Alertmanager's wait): the ones raised so far were
        // about the process that is gone. One still true of the new process fires again.
        if (this.alerts.size > 0) out.push({ type: 'alert', detail: `cleared with the old process: ${[...this.alerts].join(', ')}` });
        this.alerts.clear();
        out.push({ type: 'registered', detail: 'registered again' });
        break;
      case 'alert':
        if (signal.firing) {
          if (this.alerts.has(signal.name)) break;
          this.alerts.add(signal.name);
          out.push({ type: 'alert', detail: `${signal.name} firing` });
          if (this.s === 'healthy') this.suspect(`alert ${signal.name}`, out);
          else if (this.s === 'verifying') this.failVerification(SLO_SIGNALS.has(signal.name) ? `slo_breached: ${signal.name}` : `alert: ${signal.name}`, now, r, out);
        } else if (this.alerts.delete(signal.name)) {
          out.push({ type: 'alert', detail: `${signal.name} resolved` });
        }
        break;
    }
    return out;
  }

  /** Time-driven checks (verification window, recovery timeout, restart limit); call on every loop turn. */
  tick(now: number, r: MachineRules): MachineEvent[] {
    const out: MachineEvent[] = [];
    // Any breach ended the window already (observe). "Ready" at its end: the last probe answered
    // (failures 0) and one did within the window, not only before it.
    if (this.s === 'verifying' && now - this.verifyingSince >= r.rules.verifyWindowMs && this.failures === 0 && this.lastOkAt >= this.verifyingSince) {
      this.pass(`verified: ready and within SLO for ${r.rules.verifyWindowMs} ms`, out);
    }
    if (this.s === 'recovering' && this.inFlight === null && now - this.restartedAt > r.rules.recoveryTimeoutMs) {
      out.push({ type: 'recovery_timeout', detail: `not ready ${r.rules.recoveryTimeoutMs} ms after the restart` });
      this.nextRestartAt = now + backoffDelay(this.restartsInWindow(now, r), r.backoff);
      this.move(this.overrideWritten ? 'rerouted' : 'suspect', 'restart did not bring it back', out);
    }
    const waitsForRestart = this.s === 'rerouted' || (this.s === 'suspect' && this.lost);
    if (waitsForRestart && this.flag === null && this.inFlight === null && this.restartsInWindow(now, r) >= r.backoff.maxRestarts) {
      this.flag = `restarted ${r.backoff.maxRestarts} times within ${r.backoff.windowMs} ms; left ${this.overrideWritten ? 'rerouted' : 'as is'}`;
      out.push({ type: 'flagged', detail: this.flag });
    }
    return out;
  }

  /** The action this instance needs now, before guards; none while one is in flight or when flagged. */
  propose(now: number, r: MachineRules): Proposal | undefined {
    if (this.inFlight !== null || this.flag !== null) return undefined;
    const healthyAgain = this.successes >= r.rules.recoverAfterSuccesses && !this.lost && this.alerts.size === 0;
    switch (this.s) {
      case 'healthy':
        return undefined;
      case 'suspect':
        if (this.lost) return { action: 'reroute', reason: 'lease lost' };
        if (this.failedVerification !== null) return { action: 'reroute', reason: `verification failed (${this.failedVerification})` };
        if (this.alerts.size > 0) return { action: 'reroute', reason: `alert ${[...this.alerts].join(', ')}` };
        if (this.failures >= r.rules.rerouteAfterFailures) return { action: 'reroute', reason: `${this.failures} failed probes` };
        return undefined;
      case 'rerouted':
        if (healthyAgain && this.failedVerification === null) return { action: 'reinstate', reason: `${this.successes} ready probes, no restart needed` };
        if (now - this.reroutedAt >= r.rules.restartAfterMs && now >= this.nextRestartAt) {
          const why = this.failedVerification !== null ? `verification failed (${this.failedVerification}); restart before reinstating again` : `not ready ${now - this.reroutedAt} ms after reroute`;
          return { action: 'restart', reason: why };
        }
        return undefined;
      case 'recovering':
        return healthyAgain ? { action: 'reinstate', reason: `${this.successes} ready probes after the restart` } : undefined;
      case 'restarting':
      case 'verifying':
        return undefined;
    }
  }

  /**
   * Restart without a reroute: allowed by the caller only when a reroute is refused because this
   * is the last healthy instance and its process is gone (lease lost), so nothing is left to protect.
   */
  proposeRestartInPlace(now: number): Proposal | undefined {
    if (this.s !== 'suspect' || !this.lost || this.inFlight !== null || this.flag !== null || now < this.nextRestartAt) return undefined;
    return { action: 'restart', reason: 'last healthy instance, process gone: restart in place' };
  }

  /**
   * Takes over an instance another controller replica rerouted (a leader change): rerouted now,
   * so the usual next steps follow (reinstate once ready, else restart).
   */
  adoptRerouted(now: number): MachineEvent[] {
    const out: MachineEvent[] = [];
    if (this.overrideWritten) return out;
    this.overrideWritten = true;
    this.reroutedAt = now;
    this.successes = 0;
    this.move('rerouted', 'adopted: rerouted by the previous leader', out);
    return out;
  }

  begin(action: ActionKind): void {
    this.inFlight = action;
  }

  complete(action: ActionKind, ok: boolean, now: number, r: MachineRules): MachineEvent[] {
    const out: MachineEvent[] = [];
    this.inFlight = null;
    if (!ok) {
      if (action === 'restart') {
        this.restartTimes.push(now);
        this.nextRestartAt = now + backoffDelay(this.restartsInWindow(now, r), r.backoff);
      }
      return out;
    }
    if (action === 'reroute') {
      this.overrideWritten = true;
      this.reroutedAt = now;
      this.successes = 0;
      this.move('rerouted', 'override OUT_OF_SERVICE written', out);
    } else if (action === 'restart') {
      this.restartTimes.push(now);
      this.restartedAt = now;
      this.successes = 0;
      this.failures = 0;
      this.failedVerification = null; // a new process earns a new chance to be reinstated
      this.alerts.clear(); // they described the old process; a new firing arrives as a new signal
      this.move('recovering', 'restart requested', out);
    } else {
      this.overrideWritten = false;
      this.failures = 0;
      this.alerts.clear();
      this.verify(now, r, 'override removed, back in traffic', out);
    }
    return out;
  }

  private restartsInWindow(now: number, r: MachineRules): number {
    this.restartTimes = this.restartTimes.filter((t) => now - t < r.backoff.windowMs);
    return this.restartTimes.length;
  }

  /**
   * Starts the verification window of an instance back in traffic; with `verifyWindowMs` 0 the
   * ready probes that allowed the reinstatement are the whole proof (no window).
   */
  private verify(now: number, r: MachineRules, detail: string, out: MachineEvent[]): void {
    this.verifyingSince = now;
    if (r.rules.verifyWindowMs <= 0) {
      this.pass('verified: ready (no verification window)', out);
      return;
    }
    this.move('verifying', `${detail}; verifying for ${r.rules.verifyWindowMs} ms`, out);
  }

  private pass(detail: string, out: MachineEvent[]): void {
    this.failedVerification = null;
    out.push({ type: 'verified', detail, verifyingSince: this.verifyingSince });
    this.move('healthy', detail, out);
  }

  /**
   * The recovery did not hold: recorded as failed, and the next step is the usual one: suspect,
   * rerouted at once, then restarted after the back-off its restarts so far earned.
   */
  private failVerification(reason: string, now: number, r: MachineRules, out: MachineEvent[]): void {
    this.failedVerification = reason;
    this.nextRestartAt = Math.max(this.nextRestartAt, now + backoffDelay(this.restartsInWindow(now, r), r.backoff));
    out.push({ type: 'verification_failed', detail: `${reason}, ${now - this.verifyingSince} ms into the ${r.rules.verifyWindowMs} ms window` });
    this.suspect(`verification failed: ${reason}`, out);
  }

  private suspect(detail: string, out: MachineEvent[]): void {
    out.push({ type: 'suspect', detail });
    this.move('suspect', detail, out);
  }

  private move(to: InstanceState, detail: string, out: MachineEvent[]): void {
    if (to === this.s) return;
    out.push({ type: 'state', from: this.s, to, detail });
    this.s = to;
  }
}
