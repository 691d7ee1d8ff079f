import type { ActionKind, InstanceState } from './state-machine.js';
import type { ActionResult } from './engine.js';

/**
 * open: being handled (also while a reinstated instance is verifying) · recovered: reinstated and
 * verified (ready and within the SLO for `rules.verifyWindowMs`) · cleared: ready again before any
 * action · flagged: left rerouted, needs a human · removed: the actuator no longer runs it.
 */
export type IncidentStatus = 'open' | 'recovered' | 'cleared' | 'flagged' | 'removed';

export interface TimelineEntry {
  readonly at: string;
  /** Milliseconds since the last ready probe before the incident (the failure began after it). */
  readonly sinceFailureMs: number;
  readonly type: string;
  readonly detail: string;
  readonly action?: ActionKind;
  readonly result?: ActionResult;
  readonly from?: InstanceState;
  readonly to?: InstanceState;
}

/** Durations measured from the last ready probe before the failure, ms; null until reached. */
export interface IncidentDurations {
  detectMs: number | null;
  rerouteMs: number | null;
  /** Restart request to actuator done (not from the failure). */
  restartMs: number | null;
  /** Back in traffic for good: the reinstatement whose verification passed; set when it passed. */
  recoveryMs: number | null;
  /** The verification window passed (the incident closed as recovered). */
  verifiedMs: number | null;
}

export interface Incident {
  readonly id: string;
  readonly service: string;
  readonly instanceId: string;
  status: IncidentStatus;
  readonly failingSince: string;
  readonly openedAt: string;
  closedAt: string | null;
  /** The trace with every decision and action of this incident. */
  readonly traceId: string;
  readonly dryRun: boolean;
  readonly durations: IncidentDurations;
  readonly timeline: TimelineEntry[];
  /** Entries dropped from the middle of a long timeline (see MAX_TIMELINE in recorder.ts). */
  timelineDropped: number;
}

/** Open incidents by instance and a bounded history of closed ones (newest first). */
export class IncidentLog {
  private readonly open = new Map<string, Incident>();
  private closed: Incident[] = [];
  private seq = 0;

  constructor(private readonly history: () => number) {}

  current(service: string, instanceId: string): Incident | undefined {
    return this.open.get(`${service}/${instanceId}`);
  }

  start(service: string, instanceId: string, failingSince: number, now: number, traceId: string, dryRun: boolean): Incident {
    const inc: Incident = {
      id: `inc-${now.toString(36)}-${(++this.seq).toString(36)}`,
      service,
      instanceId,
      status: 'open',
      failingSince: new Date(failingSince).toISOString(),
      openedAt: new Date(now).toISOString(),
      closedAt: null,
      traceId,
      dryRun,
      durations: { detectMs: null, rerouteMs: null, restartMs: null, recoveryMs: null, verifiedMs: null },
      timeline: [],
      timelineDropped: 0,
    };
    this.open.set(`${service}/${instanceId}`, inc);
    return inc;
  }

  finish(inc: Incident, status: Exclude<IncidentStatus, 'open' | 'flagged'>, now: number): void {
    inc.status = status;
    inc.closedAt = new Date(now).toISOString();
    this.open.delete(`${inc.service}/${inc.instanceId}`);
    this.closed = [inc, ...this.closed].slice(0, this.history());
  }

  /** Open ones first, then closed ones, newest first. */
  list(): Incident[] {
    return [...[...this.open.values()].reverse(), ...this.closed];
  }

  get(id: string): Incident | undefined {
    return this.list().find((i) => i.id === id);
  }
}
