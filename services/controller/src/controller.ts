import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { Discovery, InstanceInfo } from '@brewops/platform';
import type { Actuator } from './actuator.js';
import type { ControllerConfig } from './config.js';
import type { ControllerMetrics } from './controller-metrics.js';
import { Engine } from './engine.js';
import type { Decision } from './engine.js';
import { isControllerError } from './errors.js';
import { PrometheusSignal } from './prometheus-signal.js';
import type { PrometheusTarget } from './prometheus-signal.js';
import { probeReady } from './prober.js';
import type { Recorder } from './recorder.js';
import { RegistrySource } from './registry-source.js';
import { judge, parseRequestTotals, parseRssMb, RequestWindow } from './request-stats.js';
import { INSTANCE_STATES, PROMETHEUS_SIGNALS, TRAFFIC_SIGNALS } from './state-machine.js';
import type { InstanceState } from './state-machine.js';

interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ControllerDeps {
  readonly discovery: Discovery;
  readonly actuator: Actuator;
  readonly config: () => ControllerConfig;
  /** The controller's own service, never acted on. */
  readonly self: string;
  readonly logger: LoggerLike;
  readonly metrics: ControllerMetrics;
  readonly recorder: () => Recorder;
  /** The election among controller replicas; without it this process always acts (tests). */
  readonly leadership?: {
    readonly isLeader: boolean;
    markRerouted(service: string, instanceId: string, rerouted: boolean): Promise<void>;
    reroutedByController(): Promise<Array<{ service: string; instanceId: string }>>;
  };
}

/**
 * The control loop: follows the registry, probes every instance's `/health/ready`, feeds the
 * signals to the engine and performs its decisions — reroute (override in etcd), restart
 * (actuator), reinstate (override removed) — each under the incident's trace.
 */
export class Controller {
  readonly engine: Engine;
  private readonly registry: RegistrySource;
  private readonly probing = new Set<string>();
  /** Overrides this process wrote (kept until etcd shows them gone, so watch lag is no foreign override). */
  private readonly ownOverrides = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Request counters per instance (its own /metrics), and when they were last read. */
  private readonly traffic = new Map<string, { window: RequestWindow; readAt: number; registeredAt: string | undefined; busy: boolean }>();
  /** The Prometheus signal: its own timer; judges only windows of an instance's current spell in traffic. */
  private readonly prometheus: PrometheusSignal;
  /** Last time each instance was seen out of traffic (rerouted, restarting, reinstating, held, lease lost). */
  private readonly outOfTrafficAt = new Map<string, number>();
  /** Since when this process has watched the fleet as the acting replica (it knows nothing of before). */
  private watchingSince = Date.now();

  constructor(private readonly deps: ControllerDeps) {
    this.engine = new Engine(deps.config, (e) => deps.recorder().record(e), Date.now());
    this.registry = new RegistrySource(
      deps.discovery,
      () => [deps.self, ...deps.config().ignoreServices],
      {
        registered: (info) => this.onRegistered(info),
        leaseLost: (service, id) => {
          if (!this.acting) return;
          this.engine.signal(service, id, { type: 'lease_lost' }, Date.now());
          this.decide();
        },
      },
      deps.logger,
    );
    this.prometheus = new PrometheusSignal({
      config: deps.config,
      targets: () => this.prometheusTargets(),
      verdict: (v) => {
        if (this.stopped || !this.acting) return;
        const now = Date.now();
        this.engine.signal(v.service, v.instanceId, { type: 'alert', name: PROMETHEUS_SIGNALS.errors, firing: v.errors }, now);
        this.engine.signal(v.service, v.instanceId, { type: 'alert', name: PROMETHEUS_SIGNALS.slow, firing: v.slow }, now);
        if (v.errors || v.slow) this.decide();
      },
      clear: (service, instanceId) => {
        const now = Date.now();
        this.engine.signal(service, instanceId, { type: 'alert', name: PROMETHEUS_SIGNALS.errors, firing: false }, now);
        this.engine.signal(service, instanceId, { type: 'alert', name: PROMETHEUS_SIGNALS.slow, firing: false }, now);
      },
      active: () => this.acting,
      logger: deps.logger,
      queries: deps.metrics.prometheusQueries,
    });
  }

  async start(): Promise<void> {
    await this.registry.start();
    this.watchingSince = Date.now();
    this.schedule();
    this.prometheus.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.prometheus.stop();
    await this.registry.close();
  }

  /** Elected, or no election at all: this replica observes and acts. */
  get acting(): boolean {
    return this.deps.leadership?.isLeader ?? true;
  }

  /**
   * Called when this replica is elected: instances the previous leader rerouted (its marks in
   * etcd) are adopted as this replica's own, so they are reinstated or restarted, not held.
   */
  async becameLeader(): Promise<void> {
    this.watchingSince = Date.now(); // the previous leader's reroutes and reinstatements are unknown here
    const marks = await this.deps.leadership?.reroutedByController().catch((err: unknown) => {
      this.deps.logger.warn({ err }, 'controller: cannot read the previous leader\'s reroutes');
      return [];
    }) ?? [];
    const now = Date.now();
    for (const m of marks) {
      if (this.registry.override(m.service, m.instanceId) === null) continue;
      this.ownOverrides.add(`${m.service}/${m.instanceId}`);
      this.engine.adopt(m.service, m.instanceId, now);
    }
    if (marks.length > 0) this.deps.logger.info({ adopted: marks.length }, 'controller: adopted the previous leader\'s reroutes');
  }

  /**
   * A signal from outside the loop (an Alertmanager webhook). A firing alert that began before
   * the instance's current registration describes the process it replaced (Alertmanager delivers
   * seconds late, and repeats): acting on it would reroute a freshly recovered instance.
   */
  alert(service: string, instanceId: string, name: string, firing: boolean, startsAt?: number): 'accepted' | 'unknown' | 'stale' {
    if (!this.acting || !this.engine.has(service, instanceId)) return 'unknown';
    const registeredAt = Date.parse(this.registry.info(service, instanceId)?.registeredAt ?? '');
    if (firing && startsAt !== undefined && Number.isFinite(registeredAt) && startsAt < registeredAt) {
      this.deps.logger.info({ service, instanceId, alert: name, startsAt: new Date(startsAt).toISOString() }, 'controller: alert older than the instance\'s registration ignored (stale)');
      return 'stale';
    }
    const lastOk = this.engine.lastOkAt(service, instanceId);
    if (firing && this.deps.config().unreachableAlerts.includes(name) && lastOk !== undefined && Date.now() - lastOk < 1000) {
      this.deps.logger.info({ service, instanceId, alert: name }, 'controller: "unreachable" alert ignored: the instance answers its probes (stale)');
      return 'stale';
    }
    this.engine.signal(service, instanceId, { type: 'alert', name, firing }, Date.now());
    this.decide();
    return 'accepted';
  }

  private onRegistered(info: InstanceInfo): void {
    const now = Date.now();
    this.engine.track(info.service, info.instanceId, now);
    this.engine.signal(info.service, info.instanceId, { type: 'registered' }, now);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.turn(), this.deps.config().probe.intervalMs);
  }

  private turn(): void {
    const cfg = this.deps.config();
    if (!this.acting) {
      // a standby replica: no probes, no incidents; the leader does all of it
      this.schedule();
      return;
    }
    this.deps.metrics.dryRun.set(cfg.dryRun ? 1 : 0);
    for (const s of this.engine.snapshot()) {
      const info = this.registry.info(s.service, s.instanceId);
      const key = `${s.service}/${s.instanceId}`;
      const override = this.registry.override(s.service, s.instanceId);
      if (override === null && !s.rerouted && s.pending === null) this.ownOverrides.delete(key);
      // Our override is in etcd but the machine does not hold it (a dry-run reinstate only
      // recorded, then dry-run was switched off): take it up again, so it is really reinstated.
      if (override !== null && this.ownOverrides.has(key) && !s.rerouted && s.pending === null && !cfg.dryRun) {
        this.engine.adopt(s.service, s.instanceId, Date.now());
      }
      const foreign = override !== null && !this.ownOverrides.has(key);
      this.engine.hold(s.service, s.instanceId, foreign);
      if (foreign || !info || outOfTraffic(s)) this.outOfTrafficAt.set(key, Date.now());
      if (!info || foreign || this.probing.has(key)) continue;
      this.readTraffic(s.service, s.instanceId, `http://${info.host}:${info.port}`, info.registeredAt);
      this.probing.add(key);
      void probeReady(`http://${info.host}:${info.port}`, cfg.probe.timeoutMs).then((r) => {
        this.probing.delete(key);
        this.deps.metrics.probes.inc({ result: r.ok ? 'ok' : 'failed' });
        this.engine.signal(s.service, s.instanceId, { type: 'probe', ok: r.ok, detail: r.detail }, Date.now());
        this.decide(); // act on a probe's result at once, not one period later
      });
    }
    this.decide();
    const counts: Record<string, number> = Object.fromEntries(INSTANCE_STATES.map((state) => [state, 0]));
    for (const s of this.engine.snapshot()) counts[s.state] = (counts[s.state] ?? 0) + 1;
    for (const [state, v] of Object.entries(counts)) this.deps.metrics.instances.set({ state }, v);
    this.schedule();
  }

  /**
   * Reads an instance's request counters every `traffic.intervalMs` and raises or clears the
   * `error_ratio` and `latency` signals from the window's 5xx share and mean latency. Readiness
   * alone misses both: an instance can answer its probe and fail or crawl on every user request.
   */
  private readTraffic(service: string, instanceId: string, url: string, registeredAt: string | undefined): void {
    const cfg = this.deps.config().traffic;
    const key = `${service}/${instanceId}`;
    let t = this.traffic.get(key);
    if (!t) {
      t = { window: new RequestWindow(() => this.deps.config().traffic.windowMs), readAt: 0, registeredAt, busy: false };
      this.traffic.set(key, t);
    }
    if (t.registeredAt !== registeredAt) {
      t.window.reset(); // a new process: its counters start again
      t.registeredAt = registeredAt;
    }
    const now = Date.now();
    if (t.busy || now - t.readAt < cfg.intervalMs) return;
    t.busy = true;
    t.readAt = now;
    const entry = t;
    // untraced, like the probes: one read per instance per second would bury the incidents' traces
    void context.with(suppressTracing(ROOT_CONTEXT), () => fetch(`${url}/metrics`, { signal: AbortSignal.timeout(Math.max(cfg.intervalMs, 500)) }))
      .then(async (res) => (res.ok ? res.text() : undefined))
      .catch(() => undefined) // an unreachable instance is the probe's business
      .then((text) => {
        entry.busy = false;
        if (text === undefined || this.stopped) return;
        entry.window.push(parseRequestTotals(text), Date.now());
        const rssMb = parseRssMb(text);
        if (rssMb !== undefined) {
          const leaking = rssMb > this.deps.config().traffic.maxRssMb;
          this.engine.signal(service, instanceId, { type: 'alert', name: TRAFFIC_SIGNALS.memory, firing: leaking }, Date.now());
          if (leaking) this.decide();
        }
        const verdict = judge(entry.window.stats(), this.deps.config().traffic);
        if (!verdict) return;
        this.engine.signal(service, instanceId, { type: 'alert', name: TRAFFIC_SIGNALS.errors, firing: verdict.errors }, Date.now());
        this.engine.signal(service, instanceId, { type: 'alert', name: TRAFFIC_SIGNALS.slow, firing: verdict.slow }, Date.now());
        if (verdict.errors || verdict.slow) this.decide();
      });
  }

  /**
   * The instances the Prometheus signal may judge, each with the moment after which its series
   * describe only the current process in traffic (see `PrometheusSignal`): the latest of its
   * registration (a restart keeps the instance ID, so the series run on), its last time out of
   * traffic (the requests it failed before a reroute are not the reinstated instance's) and the
   * moment this replica began to watch. Instances out of traffic now are not judged at all.
   */
  private prometheusTargets(): PrometheusTarget[] {
    const out: PrometheusTarget[] = [];
    const now = Date.now();
    for (const s of this.engine.snapshot()) {
      const key = `${s.service}/${s.instanceId}`;
      const info = this.registry.info(s.service, s.instanceId);
      if (!info || s.held || outOfTraffic(s)) {
        this.outOfTrafficAt.set(key, now);
        continue;
      }
      const since = Math.max(Date.parse(info.registeredAt), this.outOfTrafficAt.get(key) ?? 0, this.watchingSince);
      out.push({ service: s.service, instanceId: s.instanceId, since });
    }
    return out;
  }

  private decide(): void {
    if (this.stopped || !this.acting) return;
    for (const d of this.engine.step(Date.now())) void this.perform(d);
  }

  private async perform(d: Decision): Promise<void> {
    if (d.dryRun) {
      this.engine.complete(d, 'dry_run', `dry-run: would ${d.action}`, Date.now());
      return;
    }
    const ctx = this.deps.recorder().contextFor(d.service, d.instanceId);
    try {
      const detail = await context.with(ctx, () => this.act(d));
      this.engine.complete(d, 'ok', detail, Date.now());
    } catch (err) {
      if (isControllerError(err) && (err.code === 'unknown_instance' || err.code === 'stopped_on_purpose')) {
        this.deps.logger.warn({ err, service: d.service, instanceId: d.instanceId }, 'controller: instance removed or stopped on purpose; forgetting it');
        this.engine.complete(d, 'error', err.message, Date.now());
        this.engine.forget(d.service, d.instanceId);
        this.outOfTrafficAt.delete(`${d.service}/${d.instanceId}`);
        // no override of ours stays behind for an instance nobody runs
        if (this.ownOverrides.has(`${d.service}/${d.instanceId}`)) {
          await this.deps.discovery.setOverride(d.service, d.instanceId, null).catch((e: unknown) => this.deps.logger.warn({ err: e }, 'controller: could not remove the override'));
          await this.mark(d, false);
        }
        this.deps.recorder().forgotten(d.service, d.instanceId, Date.now());
        return;
      }
      this.engine.complete(d, 'error', err instanceof Error ? err.message : String(err), Date.now());
    }
  }

  private async act(d: Decision): Promise<string> {
    switch (d.action) {
      case 'reroute':
        this.ownOverrides.add(`${d.service}/${d.instanceId}`);
        await this.deps.discovery.setOverride(d.service, d.instanceId, 'OUT_OF_SERVICE');
        await this.mark(d, true);
        return 'override OUT_OF_SERVICE written';
      case 'restart':
        await this.deps.actuator.restart({ service: d.service, instanceId: d.instanceId });
        return `restarted through ${this.deps.actuator.kind}`;
      case 'reinstate':
        await this.deps.discovery.setOverride(d.service, d.instanceId, null);
        await this.mark(d, false);
        // the verification window judges the error ratio and latency of traffic served from now
        // on, not of requests the instance failed before it was rerouted
        this.traffic.get(`${d.service}/${d.instanceId}`)?.window.reset();
        // and the Prometheus signal judges it only once a whole window lies after this moment
        this.outOfTrafficAt.set(`${d.service}/${d.instanceId}`, Date.now());
        return 'override removed';
    }
  }

  /** Records (or clears) in etcd that the controller rerouted this instance, for a successor. */
  private async mark(d: Decision, rerouted: boolean): Promise<void> {
    await this.deps.leadership?.markRerouted(d.service, d.instanceId, rerouted).catch((err: unknown) =>
      this.deps.logger.warn({ err, service: d.service, instanceId: d.instanceId }, 'controller: could not record the reroute for a successor'));
  }
}

/** States in which an instance takes no traffic, or is about to leave or rejoin it (any action in flight). */
const OUT_STATES: ReadonlySet<InstanceState> = new Set(['rerouted', 'restarting', 'recovering']);

function outOfTraffic(s: { state: InstanceState; rerouted: boolean; pending: string | null; leaseLost: boolean }): boolean {
  return s.rerouted || s.pending !== null || s.leaseLost || OUT_STATES.has(s.state);
}
