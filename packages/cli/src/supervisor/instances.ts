import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceInfo } from '@brewops/platform';
import { ensureDir } from '../paths.js';
import { probeHttp } from '../probe.js';
import { isAlive, terminateGroup, waitGone } from '../process/pids.js';
import { spawnDetached, type ExitInfo } from '../process/spawn.js';
import { instancePidFile, type SupervisorConfig } from './config.js';
import { CONTROLLER_PORT, isServiceName, notBuiltReason, SERVICE_ORDER, serviceEntry, telemetryRegister, type ServiceName } from './services.js';
import { CONTROLLER_WEBHOOK_TOKEN } from '../secrets.js';
import { AdminError, type InstanceControl, type InstancesResponse, type InstanceState, type InstanceView, type ExitRecord, type SkippedService } from './types.js';

/** An instance gets this long after SIGTERM before SIGKILL (restart, stop, scale-down, shutdown). */
export const STOP_GRACE_MS = 10_000;

interface Instance {
  readonly id: string;
  readonly service: ServiceName;
  readonly index: number;
  pid: number | null;
  state: InstanceState;
  startedAt: number | null;
  restarts: number;
  exit: ExitRecord | null;
  registration: InstanceInfo | null;
  detail: string;
  /** Set while brewops itself stops it, so its exit reads as `stopped`. */
  stopping: boolean;
}

/**
 * The supervisor's instances: spawns them with the runtime env, tracks starting → ready from
 * the etcd registry plus /health/ready, and stops, restarts and scales them on request.
 * No auto-restart: an instance that exits stays `exited` (the controller decides).
 */
export class InstanceTable implements InstanceControl {
  private readonly instances = new Map<string, Instance>();
  private readonly skippedServices = new Map<string, string>();
  /** The latest operation (restart, stop, start, scale-in) asked for on each instance. */
  private readonly ops = new Map<string, { kind: string; done: Promise<InstanceView> }>();
  private polling = false;

  constructor(
    private readonly cfg: SupervisorConfig,
    private readonly registry: () => Promise<InstanceInfo[]>,
    private readonly log: (msg: string) => void,
  ) {}

  /** Starts every configured replica, in service order; services not built yet are skipped. */
  async startAll(): Promise<void> {
    for (const service of SERVICE_ORDER) {
      const n = this.cfg.replicas[service];
      if (n > 0 && this.checkBuilt(service)) {
        for (let i = 1; i <= n; i++) await this.spawn(this.add(service, i));
      }
    }
  }

  list(): InstancesResponse {
    const skipped: SkippedService[] = [...this.skippedServices].map(([service, reason]) => ({ service, reason }));
    return { instances: [...this.instances.values()].map((i) => this.view(i)), skipped };
  }

  /**
   * Restarts one instance. A restart asked for while another restart of the same instance is
   * under way joins it: the controller and a user (or `brewops chaos`) asking at the same moment
   * get one new process, not two with the first one orphaned.
   */
  async restart(id: string): Promise<InstanceView> {
    const inst = this.get(id);
    return this.exclusive(inst, 'restart', async () => {
      await this.halt(inst);
      await this.spawn(inst);
      return this.view(inst);
    });
  }

  async stop(id: string): Promise<InstanceView> {
    const inst = this.get(id);
    return this.exclusive(inst, 'stop', async () => {
      await this.halt(inst);
      return this.view(inst);
    });
  }

  async start(id: string): Promise<InstanceView> {
    const inst = this.get(id);
    return this.exclusive(inst, 'start', async () => {
      if (!isAlive(inst.pid)) await this.spawn(inst);
      return this.view(inst);
    });
  }

  /** Runs `op` after every earlier operation on `inst`; a second request of the same kind that is still pending or running joins it. */
  private exclusive(inst: Instance, kind: string, op: () => Promise<InstanceView>): Promise<InstanceView> {
    const last = this.ops.get(inst.id);
    if (last && last.kind === kind) return last.done;
    const done = (last?.done ?? Promise.resolve()).catch(() => undefined).then(op);
    const entry = { kind, done };
    this.ops.set(inst.id, entry);
    done.finally(() => {
      if (this.ops.get(inst.id) === entry) this.ops.delete(inst.id);
    }).catch(() => undefined);
    return done;
  }

  async scale(service: string, replicas: number): Promise<InstanceView[]> {
    if (!isServiceName(service)) throw new AdminError(404, 'unknown_service', `no service "${service}" (known: ${SERVICE_ORDER.join(', ')})`);
    const current = () => [...this.instances.values()].filter((i) => i.service === service).sort((a, b) => a.index - b.index);
    if (replicas > current().length && !this.checkBuilt(service)) {
      throw new AdminError(409, 'service_not_built', this.skippedServices.get(service) ?? `${service} is not built`);
    }
    for (let i = current().length + 1; i <= replicas; i++) await this.spawn(this.add(service, i));
    for (const inst of current().slice(replicas).reverse()) {
      await this.exclusive(inst, 'remove', async () => {
        await this.halt(inst);
        return this.view(inst);
      });
      this.instances.delete(inst.id);
    }
    this.persist();
    return current().map((i) => this.view(i));
  }

  /** Refreshes registrations and readiness once; call on an interval. */
  async poll(): Promise<void> {
    const live = [...this.instances.values()].filter((i) => i.state !== 'stopped' && i.state !== 'exited');
    if (this.polling || live.length === 0) return;
    this.polling = true;
    try {
      let regs: InstanceInfo[] | null = null;
      try {
        regs = await this.registry();
      } catch (err) {
        this.log(`registry read failed: ${(err as Error).message}`);
      }
      await Promise.all(live.map((inst) => this.check(inst, regs)));
    } finally {
      this.polling = false;
    }
  }

  /** SIGTERM every instance, SIGKILL what is left after the grace period. */
  async shutdown(graceMs = STOP_GRACE_MS): Promise<void> {
    const running = [...this.instances.values()].filter((i) => isAlive(i.pid));
    for (const i of running) i.stopping = true;
    await Promise.all(running.map((i) => terminateGroup(i.pid!, graceMs)));
    await waitGone(running.map((i) => i.pid!), 2000);
    this.persist();
  }

  private checkBuilt(service: ServiceName): boolean {
    const reason = notBuiltReason(this.cfg.root, service);
    if (reason === null) {
      this.skippedServices.delete(service);
      return true;
    }
    if (!this.skippedServices.has(service)) this.log(`skipping ${service}: ${reason}`);
    this.skippedServices.set(service, reason);
    return false;
  }

  private add(service: ServiceName, index: number): Instance {
    const id = `${service}-${index}`;
    const inst: Instance = {
      id, service, index, pid: null, state: 'stopped', startedAt: null, restarts: -1, exit: null,
      registration: null, detail: 'not started', stopping: false,
    };
    this.instances.set(id, inst);
    return inst;
  }

  private get(id: string): Instance {
    const inst = this.instances.get(id);
    if (!inst) throw new AdminError(404, 'unknown_instance', `no instance "${id}" (GET /v1/instances lists them)`);
    return inst;
  }

  private logFile(id: string): string {
    return join(this.cfg.logsDir, `${id}.log`);
  }

  private env(inst: Instance): NodeJS.ProcessEnv {
    const port = inst.index !== 1 ? 0 : inst.service === 'gateway' ? this.cfg.gatewayPort : inst.service === 'controller' ? CONTROLLER_PORT : 0;
    return {
      ...process.env,
      ...this.cfg.env,
      ...(inst.service === 'controller' ? this.controllerEnv() : {}),
      BREWOPS_SERVICE: inst.service,
      BREWOPS_INSTANCE_ID: inst.id,
      PORT: String(port),
      HOST: '127.0.0.1',
      BREWOPS_STATE_DIR: ensureDir(join(this.cfg.stateDir, 'instances', inst.id)),
    };
  }

  /** Where the controller finds this supervisor (its actuator) and the tokens it needs. */
  private controllerEnv(): Record<string, string> {
    return {
      CONTROLLER_SUPERVISOR_URL: `http://127.0.0.1:${this.cfg.port}`,
      CONTROLLER_SUPERVISOR_TOKEN_FILE: this.cfg.tokenFile,
      CONTROLLER_WEBHOOK_TOKEN_FILE: join(this.cfg.stateDir, 'secrets', CONTROLLER_WEBHOOK_TOKEN),
    };
  }

  private async spawn(inst: Instance): Promise<void> {
    const register = telemetryRegister(this.cfg.root);
    const withTelemetry = existsSync(register);
    if (!withTelemetry) this.log(`WARNING: ${register} is not built: ${inst.id} starts without the OTel bootstrap (no traces)`);
    const args = [...(withTelemetry ? ['--import', register] : []), serviceEntry(this.cfg.root, inst.service)];
    const p = await spawnDetached(process.execPath, args, { cwd: this.cfg.root, logFile: this.logFile(inst.id), env: this.env(inst) });
    Object.assign(inst, {
      pid: p.pid, state: 'starting', startedAt: Date.now(), exit: null, registration: null,
      detail: 'waiting for its etcd registration', stopping: false, restarts: inst.restarts + 1,
    });
    this.log(`started ${inst.id} (pid ${p.pid})`);
    void p.exited.then((e) => this.onExit(inst, p.pid, e));
    this.persist();
  }

  private onExit(inst: Instance, pid: number, e: ExitInfo): void {
    if (inst.pid !== pid) return; // an older process of a restarted instance
    inst.exit = { code: e.code, signal: e.signal, at: new Date().toISOString() };
    inst.state = inst.stopping ? 'stopped' : 'exited';
    inst.detail = e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
    inst.registration = null;
    this.log(`${inst.id} (pid ${pid}) ${inst.detail}${inst.stopping ? ' (stopped by brewops)' : ''}`);
    this.persist();
  }

  private async halt(inst: Instance): Promise<void> {
    if (!isAlive(inst.pid)) return;
    inst.stopping = true;
    const r = await terminateGroup(inst.pid, STOP_GRACE_MS);
    await waitGone([r.pid], 1000);
    inst.state = 'stopped';
    inst.detail = r.killed ? `stopped (SIGKILL after ${STOP_GRACE_MS / 1000} s)` : 'stopped';
    inst.registration = null;
  }

  private async check(inst: Instance, regs: InstanceInfo[] | null): Promise<void> {
    if (inst.stopping || inst.state === 'stopped' || inst.state === 'exited' || inst.startedAt === null) return;
    if (regs) {
      const since = inst.startedAt - 1000;
      // A registration older than this process belongs to its previous run (lease not yet expired).
      inst.registration = regs.find((r) => r.instanceId === inst.id && !(Date.parse(r.registeredAt) < since)) ?? null;
    }
    const reg = inst.registration;
    let ready = false;
    if (!reg) {
      inst.detail = regs ? 'not registered in etcd' : 'etcd registry unreadable';
    } else {
      const r = await probeHttp(`http://${reg.host}:${reg.port}/health/ready`, {}, 1500);
      ready = r.status === 200;
      inst.detail = ready ? 'ready' : r.status ? `/health/ready answered ${r.status}` : (r.error ?? 'no answer');
    }
    const now = inst.state as InstanceState; // may have changed while we probed
    if (now === 'stopped' || now === 'exited') return;
    const next: InstanceState = ready ? 'ready' : now === 'ready' || now === 'unready' ? 'unready' : 'starting';
    if (next !== inst.state) this.log(`${inst.id}: ${inst.state} -> ${next} (${inst.detail})`);
    inst.state = next;
  }

  private view(i: Instance): InstanceView {
    const reg = i.registration;
    return {
      id: i.id, service: i.service, pid: i.pid, state: i.state,
      // the public address (the gateway registers its admin listener as `port`; probes use that)
      port: reg ? (reg.publicPort ?? reg.port) : null, url: reg ? `http://${reg.host}:${reg.publicPort ?? reg.port}` : null,
      startedAt: i.startedAt === null ? null : new Date(i.startedAt).toISOString(),
      restarts: Math.max(0, i.restarts), exit: i.exit, detail: i.detail, log: this.logFile(i.id),
    };
  }

  /** Writes instances.json so `down` can find instance pids even if the supervisor died. */
  private persist(): void {
    const file = instancePidFile(this.cfg.stateDir);
    const doc = {
      supervisorPid: process.pid,
      updatedAt: new Date().toISOString(),
      instances: [...this.instances.values()].map((i) => ({ id: i.id, pid: i.pid, match: serviceEntry(this.cfg.root, i.service) })),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(doc, null, 2));
    renameSync(`${file}.tmp`, file);
  }
}
