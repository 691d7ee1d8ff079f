/** What an instance registers in etcd under its lease (JSON at `instanceKey(service, instanceId)`). */
export interface InstanceInfo {
  readonly service: string;
  readonly instanceId: string;
  readonly host: string;
  readonly port: number;
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
