import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from './services.js';

/** What `up` hands to the supervisor process (`<stateDir>/supervisor.json`). */
export interface SupervisorConfig {
  readonly root: string;
  readonly stateDir: string;
  readonly logsDir: string;
  /** Admin API port on 127.0.0.1. */
  readonly port: number;
  readonly tokenFile: string;
  /** etcd client URL the registry is read from. */
  readonly etcdUrl: string;
  /** Port of the first gateway instance; every other instance takes a free port. */
  readonly gatewayPort: number;
  readonly replicas: Readonly<Record<ServiceName, number>>;
  /** Environment every instance gets (AMQP_URL, ETCD_HOSTS, ZIPKIN_URL, OPENSEARCH_URL, PROMETHEUS_URL, LOG_LEVEL). */
  readonly env: Readonly<Record<string, string>>;
}

export function supervisorConfigFile(stateDir: string): string {
  return join(stateDir, 'supervisor.json');
}

export function writeSupervisorConfig(cfg: SupervisorConfig): void {
  writeFileSync(supervisorConfigFile(cfg.stateDir), `${JSON.stringify(cfg, null, 2)}\n`);
}

export function readSupervisorConfig(stateDir: string): SupervisorConfig {
  return JSON.parse(readFileSync(supervisorConfigFile(stateDir), 'utf8')) as SupervisorConfig;
}

/** `<stateDir>/instances.json`: pids of the instances, so `down` can stop leftovers if the supervisor died. */
export interface InstancePidFile {
  readonly supervisorPid: number;
  readonly updatedAt: string;
  readonly instances: ReadonlyArray<{ id: string; pid: number | null; match: string }>;
}

export function instancePidFile(stateDir: string): string {
  return join(stateDir, 'instances.json');
}

export function readInstancePids(stateDir: string): InstancePidFile | null {
  try {
    return JSON.parse(readFileSync(instancePidFile(stateDir), 'utf8')) as InstancePidFile;
  } catch {
    return null;
  }
}
