import type { Etcd3, Lease } from 'etcd3';
import { cancellableDelay, reconnectBackoff } from '../util/backoff.js';
import { instanceKey } from '../semconv.js';
import { DiscoveryError } from './errors.js';
import type { EtcdHealth } from './health.js';
import type { InstanceInfo, LoggerLike, Registration } from './types.js';

export interface RegistrationDeps {
  readonly client: Etcd3;
  readonly health: EtcdHealth;
  readonly logger: LoggerLike;
  readonly ttlSeconds: number;
  readonly onRegistered: (info: InstanceInfo) => void;
  readonly onLost: (info: InstanceInfo, err: unknown) => void;
  readonly onDeregistered: (r: LeasedRegistration) => void;
}

/** Re-registration backoff: fast first retries, capped so an instance is back about a second after etcd. */
const MIN_RETRY_MS = 100;
const MAX_RETRY_MS = 1000;

/**
 * One instance key under a lease with automatic keep-alive. When the lease is lost (etcd
 * restarted with other data, or unreachable for longer than the lease could survive), it
 * registers again under a fresh lease, with backoff, until `deregister()`.
 */
export class LeasedRegistration implements Registration {
  readonly key: string;
  private current: InstanceInfo;
  private lease: Lease | undefined;
  private registered = false;
  private stopped = false;
  private looping = false;
  private wait: { cancel(): void } | undefined;
  private first: { resolve(): void; reject(err: unknown): void } | undefined;

  constructor(
    private readonly base: Omit<InstanceInfo, 'registeredAt'>,
    private readonly deps: RegistrationDeps,
  ) {
    this.key = instanceKey(base.service, base.instanceId);
    this.current = { ...base, registeredAt: new Date().toISOString() };
  }

  get info(): InstanceInfo {
    return this.current;
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /** Resolves once registered; retries in the background until then. Rejects only if deregistered first. */
  start(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => (this.first = { resolve, reject }));
    p.catch(() => undefined);
    void this.loop();
    return p;
  }

  async deregister(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wait?.cancel();
    this.first?.reject(new DiscoveryError('closed', 'deregistered before the registration succeeded'));
    const lease = this.lease;
    this.lease = undefined;
    this.registered = false;
    this.deps.onDeregistered(this);
    if (lease === undefined) return;
    try {
      await this.deps.health.track(lease.revoke());
      this.deps.logger.info({ key: this.key }, 'discovery: deregistered');
    } catch (err) {
      lease.release();
      this.deps.logger.warn({ err, key: this.key, ttlSeconds: this.deps.ttlSeconds }, 'discovery: could not revoke the lease; the key expires with its TTL');
    }
  }

  private async loop(): Promise<void> {
    if (this.looping) return;
    this.looping = true;
    const backoff = reconnectBackoff(MIN_RETRY_MS, MAX_RETRY_MS);
    try {
      while (!this.stopped) {
        try {
          await this.registerOnce();
          return;
        } catch (err) {
          if (this.stopped) return;
          const delayMs = backoff.next();
          this.deps.logger.warn({ err, key: this.key, delayMs }, 'discovery: registration failed; retrying');
          const wait = cancellableDelay(delayMs);
          this.wait = wait;
          await wait.promise;
        }
      }
    } finally {
      this.looping = false;
    }
  }

  private async registerOnce(): Promise<void> {
    const { client, health, ttlSeconds } = this.deps;
    const lease = client.lease(ttlSeconds);
    // A failed grant also emits 'lost'; only the lease that holds the key matters (see onLeaseLost).
    lease.on('lost', (err) => this.onLeaseLost(lease, err));
    lease.on('keepaliveSucceeded', () => health.ok());
    lease.on('keepaliveFailed', (err) => health.failed(err));
    const info: InstanceInfo = { ...this.base, registeredAt: new Date().toISOString() };
    try {
      await health.track(lease.put(this.key).value(JSON.stringify(info)).exec());
    } catch (err) {
      lease.release();
      throw err;
    }
    if (this.stopped) {
      await lease.revoke().catch(() => undefined);
      return;
    }
    const previous = this.lease;
    this.lease = lease;
    this.current = info;
    this.registered = true;
    // After a long etcd outage the old lease may still exist server-side; the key now belongs
    // to the new lease, so revoking the old one only cleans up.
    if (previous) void previous.revoke().catch(() => undefined);
    this.deps.logger.info({ key: this.key, ttlSeconds }, previous ? 'discovery: re-registered under a new lease' : 'discovery: registered');
    this.deps.onRegistered(info);
    this.first?.resolve();
    this.first = undefined;
  }

  private onLeaseLost(lease: Lease, err: unknown): void {
    if (lease !== this.lease || this.stopped) return;
    this.registered = false;
    this.deps.logger.warn({ err, key: this.key }, 'discovery: lease lost; registering again');
    this.deps.onLost(this.current, err);
    void this.loop();
  }
}
