/**
 * starting: spawned, not yet registered and healthy · ready: registered in etcd and
 * /health/ready answers 200 · unready: was ready, now failing its check · stopped: stopped
 * through the admin API · exited: ended on its own (see `exit`).
 */
export type InstanceState = 'starting' | 'ready' | 'unready' | 'stopped' | 'exited';

export interface ExitRecord {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: string;
}

/** One instance as `GET /v1/instances` shows it. */
export interface InstanceView {
  readonly id: string;
  readonly service: string;
  readonly pid: number | null;
  readonly state: InstanceState;
  /** Registered public port and URL (`publicPort` when the instance has one: the gateway), once it registered. */
  readonly port: number | null;
  readonly url: string | null;
  readonly startedAt: string | null;
  /** Times it was started again after its first start. */
  readonly restarts: number;
  readonly exit: ExitRecord | null;
  /** Why it is not ready (or 'ready'). */
  readonly detail: string;
  /** Its log file. */
  readonly log: string;
}

/** A service the supervisor could not start, and why (e.g. its entry file is not built yet). */
export interface SkippedService {
  readonly service: string;
  readonly reason: string;
}

export interface InstancesResponse {
  readonly instances: InstanceView[];
  readonly skipped: SkippedService[];
}

/** An admin API failure with its HTTP status and stable code. */
export class AdminError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** What the admin API drives; the supervisor's instance table implements it (tests use a fake). */
export interface InstanceControl {
  list(): InstancesResponse;
  restart(id: string): Promise<InstanceView>;
  stop(id: string): Promise<InstanceView>;
  start(id: string): Promise<InstanceView>;
  scale(service: string, replicas: number): Promise<InstanceView[]>;
}
