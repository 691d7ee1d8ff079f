import type { ControllerConfig } from './config.js';
import { checkReroute } from './guards.js';
import type { BlockReason } from './guards.js';
import { TokenBucket } from './rate-limit.js';
import { InstanceMachine } from './state-machine.js';
import type { ActionKind, InstanceState, MachineEvent, MachineRules, Signal } from './state-machine.js';

export type EngineConfig = Pick<ControllerConfig, 'dryRun' | 'rules' | 'backoff' | 'safety'>;

/** One line of an incident's timeline, before it is recorded. */
export interface EngineEvent {
  readonly at: number;
  readonly service: string;
  readonly instanceId: string;
  readonly type: MachineEvent['type'] | 'decision' | 'blocked' | 'action';
  readonly detail: string;
  readonly from?: InstanceState;
  readonly to?: InstanceState;
  readonly action?: ActionKind;
  readonly result?: ActionResult;
  /** For `blocked`: which guard refused. */
  readonly blocked?: BlockReason;
  /** For `verified`: when the instance went back into traffic for good. */
  readonly verifyingSince?: number;
}

/** `dry_run`: decided, nothing changed. */
export type ActionResult = 'ok' | 'error' | 'dry_run';

/** An action that passed every guard; the caller performs it, then reports through `complete`. */
export interface Decision {
  readonly service: string;
  readonly instanceId: string;
  readonly action: ActionKind;
  readonly reason: string;
  readonly dryRun: boolean;
}

export interface InstanceSnapshot {
  readonly service: string;
  readonly instanceId: string;
  readonly state: InstanceState;
  readonly leaseLost: boolean;
  readonly rerouted: boolean;
  readonly flagged: string | null;
  readonly pending: ActionKind | null;
  /** Out of service by someone else's override: left alone. */
  readonly held: boolean;
}

interface Tracked {
  readonly service: string;
  readonly instanceId: string;
  readonly machine: InstanceMachine;
  /** When each refusal was last reported: one event per reason per BLOCK_REPEAT_MS, not one per turn. */
  readonly blocks: Map<BlockReason, number>;
  held: boolean;
}

/**
 * A refusal that persists is reported again at most this often. Two refusals can alternate turn
 * after turn (a dead last instance: its reroute refused as the last healthy one, its restart in
 * place refused by the rate limit): reported each turn, they flooded the log and the incident.
 */
const BLOCK_REPEAT_MS = 60_000;

const keyOf = (service: string, instanceId: string): string => `${service}/${instanceId}`;

/**
 * Every known instance's machine plus the fleet-wide safety rules: never reroute the last healthy
 * instance of a service, at most `maxOutShare` of a service out at once, a global action rate
 * limit, dry-run. Pure apart from the listener: the clock is passed in.
 */
export class Engine {
  private readonly tracked = new Map<string, Tracked>();
  private readonly bucket: TokenBucket;

  constructor(
    private readonly config: () => EngineConfig,
    private readonly listener: (e: EngineEvent) => void,
    now: number,
  ) {
    const s = config().safety;
    this.bucket = new TokenBucket(s.actionsPerMinute, s.actionBurst, now);
  }

  /** Starts following an instance (idempotent). */
  track(service: string, instanceId: string, now: number): void {
    const key = keyOf(service, instanceId);
    if (!this.tracked.has(key)) this.tracked.set(key, { service, instanceId, machine: new InstanceMachine(now), blocks: new Map(), held: false });
  }

  /** Stops following an instance (removed on purpose, e.g. scaled down). */
  forget(service: string, instanceId: string): void {
    this.tracked.delete(keyOf(service, instanceId));
  }

  /**
   * Marks an instance as taken out of service by an override this controller did not write (an
   * operator, or an earlier controller process): it gets no action until the override is gone.
   */
  hold(service: string, instanceId: string, held: boolean): void {
    const t = this.tracked.get(keyOf(service, instanceId));
    if (t && t.held !== held) {
      t.held = held;
      this.listener({ at: Date.now(), service, instanceId, type: 'state', detail: held ? 'held: out of service by an override the controller did not write' : 'released: foreign override removed' });
    }
  }

  /** A rerouted instance handed over by the previous leader (see `InstanceMachine.adoptRerouted`). */
  adopt(service: string, instanceId: string, now: number): void {
    const t = this.tracked.get(keyOf(service, instanceId));
    if (t) this.emit(t, t.machine.adoptRerouted(now), now);
  }

  has(service: string, instanceId: string): boolean {
    return this.tracked.has(keyOf(service, instanceId));
  }

  signal(service: string, instanceId: string, signal: Signal, now: number): void {
    const t = this.tracked.get(keyOf(service, instanceId));
    if (t) this.emit(t, t.machine.observe(signal, now, this.rules()), now);
  }

  /** One turn of the loop: time-driven checks, then every proposal through the guards. */
  step(now: number): Decision[] {
    const cfg = this.config();
    this.bucket.configure(cfg.safety.actionsPerMinute, cfg.safety.actionBurst);
    const rules = this.rules();
    const decisions: Decision[] = [];
    for (const t of this.tracked.values()) {
      if (t.held) continue;
      this.emit(t, t.machine.tick(now, rules), now);
      const p = t.machine.propose(now, rules);
      if (!p) continue;
      let action = p.action;
      let reason = p.reason;
      if (action === 'reroute') {
        const peers = [...this.tracked.entries()].filter(([, o]) => o.service === t.service).map(([key, o]) => ({ key, machine: o.machine }));
        const blocked = checkReroute(keyOf(t.service, t.instanceId), peers, cfg.safety);
        if (blocked) {
          const inPlace = blocked === 'last_healthy' ? t.machine.proposeRestartInPlace(now) : undefined;
          if (!inPlace) {
            this.block(t, blocked, `reroute refused: ${blocked.replace('_', ' ')}`, now);
            continue;
          }
          this.block(t, blocked, 'reroute refused: last healthy instance', now);
          action = inPlace.action;
          reason = inPlace.reason;
        }
      }
      if (action !== 'reinstate' && !this.bucket.tryTake(now)) {
        this.block(t, 'rate_limited', `${action} refused: global action rate limit`, now);
        continue;
      }
      t.blocks.clear();
      t.machine.begin(action);
      const d: Decision = { service: t.service, instanceId: t.instanceId, action, reason, dryRun: cfg.dryRun };
      this.listener({ at: now, service: t.service, instanceId: t.instanceId, type: 'decision', action, detail: reason });
      decisions.push(d);
    }
    return decisions;
  }

  /** Reports the outcome of a decision's action. */
  complete(d: Decision, result: ActionResult, detail: string, now: number): void {
    const t = this.tracked.get(keyOf(d.service, d.instanceId));
    if (!t) return;
    this.listener({ at: now, service: d.service, instanceId: d.instanceId, type: 'action', action: d.action, result, detail });
    this.emit(t, t.machine.complete(d.action, result !== 'error', now, this.rules()), now);
  }

  snapshot(): InstanceSnapshot[] {
    return [...this.tracked.values()].map((t) => ({
      service: t.service,
      instanceId: t.instanceId,
      state: t.machine.state,
      leaseLost: t.machine.leaseLost,
      rerouted: t.machine.isRerouted,
      flagged: t.machine.flagged,
      pending: t.machine.pending,
      held: t.held,
    }));
  }

  /** The last time the instance answered ready (for durations measured from the start of a failure). */
  lastOkAt(service: string, instanceId: string): number | undefined {
    return this.tracked.get(keyOf(service, instanceId))?.machine.lastOkAt;
  }

  private block(t: Tracked, reason: BlockReason, detail: string, now: number): void {
    const last = t.blocks.get(reason);
    if (last !== undefined && now - last < BLOCK_REPEAT_MS) return;
    t.blocks.set(reason, now);
    this.listener({ at: now, service: t.service, instanceId: t.instanceId, type: 'blocked', detail, blocked: reason });
  }

  private rules(): MachineRules {
    const c = this.config();
    return { rules: c.rules, backoff: c.backoff };
  }

  private emit(t: Tracked, events: MachineEvent[], now: number): void {
    for (const e of events) this.listener({ at: now, service: t.service, instanceId: t.instanceId, ...e });
  }
}
