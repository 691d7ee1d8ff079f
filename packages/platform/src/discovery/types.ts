import type { LoggerLike } from '../util/logger-like.js';
export type { LoggerLike };
/** What an instance registers in etcd under its lease (JSON at `instanceKey(service, instanceId)`). */
export interface InstanceInfo {
  readonly service: string;
  readonly instanceId: string;
  readonly host: string;
  /** Where the instance answers `/health/*` and `/metrics` (Prometheus, the supervisor and the controller use it). */
  readonly port: number;
  /**
   * Set when the instance serves its traffic on another port than `port`, which then only
   * serves `/health/*` and `/metrics` (the gateway: public port here, admin port as `port`). @default `port`
   */
  readonly publicPort?: number;
  readonly version: string;
  readonly zone: string;
  /** ISO timestamp of (re-)registration. */
  readonly registeredAt: string;
}

/** Value of the override key; absent means the instance takes traffic. */
export type InstanceOverride = 'OUT_OF_SERVICE';

export interface InstanceStatus extends InstanceInfo {
  readonly override: InstanceOverride | null;
}


export interface DiscoveryOptions {
  /** etcd endpoints, e.g. `http://127.0.0.1:2379`. */
  readonly hosts: readonly string[];
  readonly logger: LoggerLike;
  /** Lease TTL of registrations: a dead instance disappears at most this long after its last keep-alive. @default 3 */
  readonly ttlSeconds?: number;
  /** Deadline of each unary etcd call (get, put, delete, revoke). @default 3000 */
  readonly callTimeoutMs?: number;
}

/** An instance's registration; kept alive and restored automatically until `deregister()`. */
export interface Registration {
  /** The etcd key (`instanceKey(service, instanceId)`). */
  readonly key: string;
  /** What is registered now; `registeredAt` changes on each re-registration. */
  readonly info: InstanceInfo;
  /** False between losing a lease and re-registering. */
  readonly isRegistered: boolean;
  /** Revokes the lease: the instance disappears from every watcher at once. Never rejects; if etcd is unreachable the key expires within the TTL. */
  deregister(): Promise<void>;
}

/** Typed events of `Discovery`. */
export interface DiscoveryEvents {
  /** An etcd call, keep-alive or watch stream failed after etcd had been reachable (or before it ever was). */
  'etcd-down': [err: unknown];
  /** etcd answers again after `etcd-down`. */
  'etcd-up': [];
  /** A registration (first or after a lost lease) is in etcd under a fresh lease. */
  registered: [info: InstanceInfo];
  /** A registration's lease was lost (etcd restarted or unreachable longer than the TTL); re-registering. */
  'registration-lost': [info: InstanceInfo, err: unknown];
}

/** Typed events of `ServiceWatch`. */
export interface ServiceWatchEvents {
  /** The set of instances (or their overrides or data) changed; read `instances()` or `all()`. */
  change: [];
}
