import { EventEmitter } from 'node:events';
import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '../util/etcd-client.js';
import { overrideKey } from '../semconv.js';
import { DiscoveryError } from './errors.js';
import { EtcdHealth } from './health.js';
import { SERVICES_PREFIX, assertKeySegment, servicePrefix } from './keys.js';
import { LeasedRegistration } from './registration.js';
import { RegistryView } from './registry-view.js';
import { ServiceWatch, toRegistryKv } from './watch.js';
import type {
  DiscoveryEvents,
  DiscoveryOptions,
  InstanceInfo,
  InstanceOverride,
  InstanceStatus,
  LoggerLike,
  Registration,
} from './types.js';

/**
 * Service registry on etcd: instances register under a lease (they vanish when they die),
 * clients watch a service and see changes within milliseconds, and an override key takes an
 * instance out of service without touching it. Survives etcd restarts on both sides.
 */
export class Discovery extends EventEmitter<DiscoveryEvents> {
  private readonly client: Etcd3;
  private readonly health: EtcdHealth;
  private readonly logger: LoggerLike;
  private readonly ttlSeconds: number;
  private readonly callTimeoutMs: number;
  private readonly registrations = new Set<LeasedRegistration>();
  private readonly watches = new Set<ServiceWatch>();
  private closed: Promise<void> | undefined;

  constructor(opts: DiscoveryOptions) {
    super();
    if (opts.hosts.length === 0) throw new DiscoveryError('etcd_unavailable', 'no etcd hosts configured');
    this.logger = opts.logger;
    this.ttlSeconds = opts.ttlSeconds ?? 3;
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) {
      throw new RangeError(`ttlSeconds must be a positive integer, got ${this.ttlSeconds}`);
    }
    this.callTimeoutMs = opts.callTimeoutMs ?? 3000;
    this.client = createEtcdClient(opts.hosts, this.callTimeoutMs);
    this.health = new EtcdHealth(
      (up, err) => {
        if (up) {
          this.logger.info({}, 'discovery: etcd reachable again');
          this.emit('etcd-up');
        } else {
          this.logger.warn({ err }, 'discovery: etcd unreachable');
          this.emit('etcd-down', err);
        }
      },
      () => this.client.maintenance.status(),
    );
  }

  /** Whether the last etcd call, keep-alive or watch (re)connect succeeded. For `/health/ready`. */
  get isHealthy(): boolean {
    return this.health.isHealthy;
  }

  /**
   * Puts `instanceKey → InstanceInfo` under a lease kept alive in the background, and restores
   * it under a new lease whenever the lease is lost. Resolves once registered; while etcd is
   * unreachable it keeps retrying with backoff (the promise waits).
   */
  async register(info: Omit<InstanceInfo, 'registeredAt'>): Promise<Registration> {
    this.assertOpen();
    assertKeySegment('service', info.service);
    assertKeySegment('instanceId', info.instanceId);
    const registration = new LeasedRegistration(
      { service: info.service, instanceId: info.instanceId, host: info.host, port: info.port, ...(info.publicPort !== undefined ? { publicPort: info.publicPort } : {}), version: info.version, zone: info.zone },
      {
        client: this.client,
        health: this.health,
        logger: this.logger,
        ttlSeconds: this.ttlSeconds,
        onRegistered: (i) => this.emit('registered', i),
        onLost: (i, err) => this.emit('registration-lost', i, err),
        onDeregistered: (r) => this.registrations.delete(r),
      },
    );
    this.registrations.add(registration);
    await registration.start();
    return registration;
  }

  /** Reads the service's instances, then follows changes. Rejects with `etcd_unavailable` if etcd does not answer now. */
  async watch(service: string): Promise<ServiceWatch> {
    this.assertOpen();
    assertKeySegment('service', service);
    const watch = new ServiceWatch(service, {
      client: this.client,
      health: this.health,
      logger: this.logger,
      onClosed: (w) => this.watches.delete(w),
    });
    this.watches.add(watch);
    try {
      await watch.start(this.callTimeoutMs * 2);
    } catch (err) {
      await watch.close();
      throw err;
    }
    return watch;
  }

  /** Every registered instance of `service` (of all services if omitted), with its override. */
  async list(service?: string): Promise<InstanceStatus[]> {
    this.assertOpen();
    if (service !== undefined) assertKeySegment('service', service);
    const prefix = service === undefined ? SERVICES_PREFIX : servicePrefix(service);
    const res = await this.call('list', this.client.getAll().prefix(prefix).exec());
    const view = new RegistryView();
    view.applySnapshot(res.kvs.map(toRegistryKv), Number(res.header.revision));
    return [...view.all()];
  }

  /** Writes (or with `null` deletes) the override key; watchers drop or re-add the instance within milliseconds. */
  async setOverride(service: string, instanceId: string, override: InstanceOverride | null): Promise<void> {
    this.assertOpen();
    assertKeySegment('service', service);
    assertKeySegment('instanceId', instanceId);
    const key = overrideKey(service, instanceId);
    if (override === null) await this.call('clear override', this.client.delete().key(key).exec());
    else await this.call('set override', this.client.put(key).value(override).exec());
    this.logger.info({ service, instanceId, override }, 'discovery: override changed');
  }

  /** Deregisters what this process registered, closes watches and the etcd client. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all([...this.registrations].map((r) => r.deregister()));
      await Promise.all([...this.watches].map((w) => w.close()));
      this.health.close();
      this.client.close();
    })();
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new DiscoveryError('closed', 'discovery is closed');
  }

  private async call<T>(what: string, call: Promise<T>): Promise<T> {
    try {
      return await this.health.track(call);
    } catch (err) {
      throw new DiscoveryError('etcd_unavailable', `etcd ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
}
