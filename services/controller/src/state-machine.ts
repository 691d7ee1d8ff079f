import type { BackoffConfig, RulesConfig } from './config.js';

/** Per-instance lifecycle: healthy → suspect → rerouted → restarting → recovering → healthy. */
export type InstanceState = 'healthy' | 'suspect' | 'rerouted' | 'restarting' | 'recovering';
export type ActionKind = 'reroute' | 'restart' | 'reinstate';

/** What the controller observed about one instance. */
export type Signal =
  | { readonly type: 'probe'; readonly ok: boolean; readonly detail?: string }
  | { readonly type: 'lease_lost' }
  | { readonly type: 'registered' }
  | { readonly type: 'alert'; readonly name: string; readonly firing: boolean };

/** Something the machine noticed or did; the incident timeline is made of these. */
export interface MachineEvent {
  readonly type: 'suspect' | 'cleared' | 'lease_lost' | 'registered' | 'alert' | 'state' | 'flagged' | 'recovery_timeout';
  readonly detail: string;
  readonly from?: InstanceState;
  readonly to?: InstanceState;
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
  /** Counts against a service's share of instances out of service. */
  get isOut(): boolean { return this.overrideWritten || this.s === 'restarting' || this.s === 'recovering' || this.inFlight === 'reroute'; }
  /** Routable and answering: what the last-healthy guard counts. */
  get isHealthy(): boolean { return this.s === 'healthy' && !this.lost; }

  observe(signal: Signal, now: number, r: MachineRules): MachineEvent[] {
    const out: MachineEvent[] = [];
    switch (signal.type) {
      case 'probe':
        if (signal.ok) {
          this.lastOkAt = now;
          this.failures = 0;
          this.successes++;
          if (this.s === 'suspect' && !this.lost && this.alerts.size === 0 && this.inFlight === null) {
            this.move('healthy', 'ready again before any action', out);
            out.push({ type: 'cleared', detail: 'transient: ready again' });
          }
        } else {
          this.successes = 0;
          this.failures++;
          if (this.s === 'healthy' && this.failures >= r.rules.suspectAfterFailures) {
            this.suspect(`${this.failures} failed probes (${signal.detail ?? 'not ready'})`, out);
          }
        }
        break;
      case 'lease_lost':
        if (this.lost) break;
        this.lost = true;
        this.successes = 0;
        out.push({ type: 'lease_lost', detail: 'registration vanished from etcd' });
        if (this.s === 'healthy') this.suspect('lease lost', out);
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
        } else if (this.alerts.delete(signal.name)) {
          out.push({ type: 'alert', detail: `${signal.name} resolved` });
        }
        break;
    }
    return out;
  }

  /** Time-driven checks (recovery timeout, restart limit); call on every loop turn. */
  tick(now: number, r: MachineRules): MachineEvent[] {
    const out: MachineEvent[] = [];
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
        if (this.alerts.size > 0) return { action: 'reroute', reason: `alert ${[...this.alerts].join(', ')}` };
        if (this.failures >= r.rules.rerouteAfterFailures) return { action: 'reroute', reason: `${this.failures} failed probes` };
        return undefined;
      case 'rerouted':
        if (healthyAgain) return { action: 'reinstate', reason: `${this.successes} ready probes, no restart needed` };
        if (now - this.reroutedAt >= r.rules.restartAfterMs && now >= this.nextRestartAt) {
          return { action: 'restart', reason: `not ready ${now - this.reroutedAt} ms after reroute` };
        }
        return undefined;
      case 'recovering':
        return healthyAgain ? { action: 'reinstate', reason: `${this.successes} ready probes after the restart` } : undefined;
      case 'restarting':
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
      this.alerts.clear(); // they described the old process; a new firing arrives as a new signal
      this.move('recovering', 'restart requested', out);
    } else {
      this.overrideWritten = false;
      this.failures = 0;
      this.alerts.clear();
      this.move('healthy', 'verified ready; override removed', out);
    }
    return out;
  }

  private restartsInWindow(now: number, r: MachineRules): number {
    this.restartTimes = this.restartTimes.filter((t) => now - t < r.backoff.windowMs);
    return this.restartTimes.length;
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
