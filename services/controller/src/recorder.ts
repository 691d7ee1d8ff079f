import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span, Tracer } from '@opentelemetry/api';
import type { ControllerMetrics } from './controller-metrics.js';
import type { EngineEvent } from './engine.js';
import { IncidentLog } from './incidents.js';
import type { Incident } from './incidents.js';
import * as n from './semconv.js';

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface RecorderDeps {
  readonly tracer: Tracer;
  readonly logger: LoggerLike;
  readonly metrics: ControllerMetrics;
  readonly incidents: IncidentLog;
  readonly dryRun: () => boolean;
  /** Last ready probe of an instance (start of its failure). */
  readonly lastOkAt: (service: string, instanceId: string) => number | undefined;
}

/**
 * Turns the engine's events into the audit trail: an incident with its timeline, one trace per
 * incident (a root span from suspect to close, a child span per decision/action), a log event
 * per line, metrics for actions and durations.
 */
/** Entries an incident's timeline keeps at most: the first TIMELINE_HEAD and the latest others. */
export const MAX_TIMELINE = 500;
const TIMELINE_HEAD = 50;

export class Recorder {
  private readonly roots = new Map<string, Span>();
  private readonly actionSpans = new Map<string, Span>();

  constructor(private readonly deps: RecorderDeps) {}

  /** The incident span's context, to run an action under (so the actuator's HTTP call joins the trace). */
  contextFor(service: string, instanceId: string): Context {
    const span = this.actionSpans.get(`${service}/${instanceId}`) ?? this.roots.get(`${service}/${instanceId}`);
    return span ? trace.setSpan(context.active(), span) : context.active();
  }

  record(e: EngineEvent): void {
    const key = `${e.service}/${e.instanceId}`;
    let inc = this.deps.incidents.current(e.service, e.instanceId);
    if (!inc && (e.type === 'suspect' || e.type === 'decision')) inc = this.open(e);
    if (inc) this.append(inc, e);
    this.deps.logger.info(
      { [n.ATTR_TARGET_SERVICE]: e.service, [n.ATTR_TARGET_INSTANCE]: e.instanceId, [n.ATTR_INCIDENT_ID]: inc?.id, 'event.action': e.type, action: e.action, result: e.result, from: e.from, to: e.to },
      `controller: ${e.service}/${e.instanceId} ${e.type}${e.action ? ` ${e.action}` : ''}${e.result ? ` → ${e.result}` : ''}: ${e.detail}`,
    );
    const root = this.roots.get(key);
    if (e.type === 'decision' && e.action) {
      const parent = root ? trace.setSpan(context.active(), root) : context.active();
      const span = this.deps.tracer.startSpan(n.spanAction(e.action), {
        attributes: {
          [n.ATTR_ACTION]: e.action, [n.ATTR_REASON]: e.detail, [n.ATTR_DRY_RUN]: this.deps.dryRun(),
          [n.ATTR_TARGET_SERVICE]: e.service, [n.ATTR_TARGET_INSTANCE]: e.instanceId, ...(inc ? { [n.ATTR_INCIDENT_ID]: inc.id } : {}),
        },
      }, parent);
      this.actionSpans.set(key, span);
    } else if (e.type === 'action' && e.action && e.result) {
      this.deps.metrics.actions.inc({ action: e.action, result: e.result });
      const span = this.actionSpans.get(key);
      this.actionSpans.delete(key);
      if (span) {
        span.setAttribute(n.ATTR_RESULT, e.result);
        if (e.result === 'error') span.setStatus({ code: SpanStatusCode.ERROR, message: e.detail });
        span.end();
      }
    } else if (e.type === 'blocked') {
      if (e.blocked) this.deps.metrics.blocked.inc({ reason: e.blocked });
      root?.addEvent('blocked', { [n.ATTR_REASON]: e.detail });
    } else if (e.type === 'verified' || e.type === 'verification_failed') {
      const result = this.deps.dryRun() ? 'dry_run' : e.type === 'verified' ? 'passed' : 'failed';
      this.deps.metrics.verifications.inc({ target_service: e.service, result });
      root?.addEvent(e.type, { detail: e.detail, [n.ATTR_RESULT]: result });
    } else {
      root?.addEvent(e.type, { detail: e.detail, ...(e.to ? { to: e.to } : {}) });
    }
    if (inc && e.type === 'flagged') inc.status = 'flagged';
    if (inc && e.type === 'state' && e.to === 'healthy') this.close(inc, e);
  }

  /** The instance was removed on purpose (the actuator does not know it): its open incident ends. */
  forgotten(service: string, instanceId: string, now: number): void {
    const inc = this.deps.incidents.current(service, instanceId);
    if (inc) this.close(inc, { at: now, service, instanceId, type: 'state', detail: 'instance removed' }, 'removed');
  }

  private open(e: EngineEvent): Incident {
    const failingSince = this.deps.lastOkAt(e.service, e.instanceId) ?? e.at;
    const root = this.deps.tracer.startSpan(n.SPAN_INCIDENT, {
      root: true,
      startTime: failingSince,
      attributes: { [n.ATTR_TARGET_SERVICE]: e.service, [n.ATTR_TARGET_INSTANCE]: e.instanceId, [n.ATTR_DRY_RUN]: this.deps.dryRun() },
    });
    const inc = this.deps.incidents.start(e.service, e.instanceId, failingSince, e.at, root.spanContext().traceId, this.deps.dryRun());
    root.setAttribute(n.ATTR_INCIDENT_ID, inc.id);
    this.roots.set(`${e.service}/${e.instanceId}`, root);
    return inc;
  }

  private append(inc: Incident, e: EngineEvent): void {
    const since = e.at - Date.parse(inc.failingSince);
    // A long incident (an instance left flagged for hours) keeps its first and its latest entries.
    if (inc.timeline.length >= MAX_TIMELINE) {
      inc.timeline.splice(TIMELINE_HEAD, 1);
      inc.timelineDropped += 1;
    }
    inc.timeline.push({
      at: new Date(e.at).toISOString(), sinceFailureMs: since, type: e.type, detail: e.detail,
      ...(e.action ? { action: e.action } : {}), ...(e.result ? { result: e.result } : {}),
      ...(e.from ? { from: e.from } : {}), ...(e.to ? { to: e.to } : {}),
    });
    const d = inc.durations;
    const labels = { target_service: e.service };
    if (e.type === 'decision' && e.action === 'reroute' && d.detectMs === null) {
      d.detectMs = since;
      this.deps.metrics.detection.observe(labels, since / 1000);
    }
    if (e.type === 'action' && e.result !== 'error') {
      if (e.action === 'reroute' && d.rerouteMs === null) {
        d.rerouteMs = since;
        this.deps.metrics.reroute.observe(labels, since / 1000);
      } else if (e.action === 'restart') {
        const started = [...inc.timeline].reverse().find((t) => t.type === 'decision' && t.action === 'restart');
        d.restartMs = started ? e.at - Date.parse(started.at) : null;
        if (d.restartMs !== null) this.deps.metrics.restart.observe(labels, d.restartMs / 1000);
      }
    }
    // A reinstatement is a recovery only once its verification window passed (the state machine's
    // `verified`); its duration runs to when the instance went back into traffic, since the window
    // after it is a fixed wait (`rules.verifyWindowMs`), reported apart as `verifiedMs`.
    if (e.type === 'verified') {
      d.recoveryMs = (e.verifyingSince ?? e.at) - Date.parse(inc.failingSince);
      d.verifiedMs = since;
      this.deps.metrics.recovery.observe(labels, d.recoveryMs / 1000);
    }
  }

  private close(inc: Incident, e: EngineEvent, forced?: 'removed'): void {
    const status = forced ?? (inc.durations.recoveryMs !== null ? 'recovered' : 'cleared');
    this.deps.incidents.finish(inc, status, e.at);
    const key = `${e.service}/${e.instanceId}`;
    const root = this.roots.get(key);
    this.roots.delete(key);
    if (root) {
      root.setAttribute(n.ATTR_RESULT, status);
      root.end(e.at);
    }
  }
}
