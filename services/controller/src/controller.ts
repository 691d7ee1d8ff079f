import { context } from '@opentelemetry/api';
import type { Discovery, InstanceInfo } from '@brewops/platform';
import type { Actuator } from './actuator.js';
import type { ControllerConfig } from './config.js';
import type { ControllerMetrics } from './controller-metrics.js';
import { Engine } from './engine.js';
import type { Decision } from './engine.js';
import { isControllerError } from './errors.js';
import { probeReady } from './prober.js';
import type { Recorder } from './recorder.js';
import { RegistrySource } from './registry-source.js';

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

  constructor(private readonly deps: ControllerDeps) {
    this.engine = new Engine(deps.config, (e) => deps.recorder().record(e), Date.now());
    this.registry = new RegistrySource(
      deps.discovery,
      () => [deps.self, ...deps.config().ignoreServices],
      {
        registered: (info) => this.onRegistered(info),
        leaseLost: (service, id) => {
          this.engine.signal(service, id, { type: 'lease_lost' }, Date.now());
          this.decide();
        },
      },
      deps.logger,
    );
  }

  async start(): Promise<void> {
    await this.registry.start();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.registry.close();
  }

  /** A signal from outside the loop (an Alertmanager webhook). */
  alert(service: string, instanceId: string, name: string, firing: boolean): boolean {
    if (!this.engine.has(service, instanceId)) return false;
    this.engine.signal(service, instanceId, { type: 'alert', name, firing }, Date.now());
    this.decide();
    return true;
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
    this.deps.metrics.dryRun.set(cfg.dryRun ? 1 : 0);
    for (const s of this.engine.snapshot()) {
      const info = this.registry.info(s.service, s.instanceId);
      const key = `${s.service}/${s.instanceId}`;
      const override = this.registry.override(s.service, s.instanceId);
      if (override === null && !s.rerouted && s.pending === null) this.ownOverrides.delete(key);
      const foreign = override !== null && !this.ownOverrides.has(key);
      this.engine.hold(s.service, s.instanceId, foreign);
      if (!info || foreign || this.probing.has(key)) continue;
      this.probing.add(key);
      void probeReady(`http://${info.host}:${info.port}`, cfg.probe.timeoutMs).then((r) => {
        this.probing.delete(key);
        this.deps.metrics.probes.inc({ result: r.ok ? 'ok' : 'failed' });
        this.engine.signal(s.service, s.instanceId, { type: 'probe', ok: r.ok, detail: r.detail }, Date.now());
        this.decide(); // act on a probe's result at once, not one period later
      });
    }
    this.decide();
    const counts: Record<string, number> = { healthy: 0, suspect: 0, rerouted: 0, restarting: 0, recovering: 0 };
    for (const s of this.engine.snapshot()) counts[s.state] = (counts[s.state] ?? 0) + 1;
    for (const [state, v] of Object.entries(counts)) this.deps.metrics.instances.set({ state }, v);
    this.schedule();
  }

  private decide(): void {
    if (this.stopped) return;
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
        // no override of ours stays behind for an instance nobody runs
        if (this.ownOverrides.has(`${d.service}/${d.instanceId}`)) {
          await this.deps.discovery.setOverride(d.service, d.instanceId, null).catch((e: unknown) => this.deps.logger.warn({ err: e }, 'controller: could not remove the override'));
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
        return 'override OUT_OF_SERVICE written';
      case 'restart':
        await this.deps.actuator.restart({ service: d.service, instanceId: d.instanceId });
        return `restarted through ${this.deps.actuator.kind}`;
      case 'reinstate':
        await this.deps.discovery.setOverride(d.service, d.instanceId, null);
        return 'override removed';
    }
  }
}
