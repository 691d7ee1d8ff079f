import { usageError } from './errors.js';

/**
 * Every port brewops uses on 127.0.0.1. Each can be overridden by the env variable named
 * next to it; the defaults are the upstream ones.
 */
export interface PortConfig {
  /** BREWOPS_RABBITMQ_PORT @default 5672 */
  readonly rabbitmqAmqp: number;
  /** BREWOPS_RABBITMQ_MANAGEMENT_PORT @default 15672 */
  readonly rabbitmqManagement: number;
  /** BREWOPS_RABBITMQ_PROMETHEUS_PORT @default 15692 */
  readonly rabbitmqPrometheus: number;
  /** BREWOPS_ETCD_PORT @default 2379 */
  readonly etcdClient: number;
  /** BREWOPS_ETCD_PEER_PORT @default 2380 */
  readonly etcdPeer: number;
  /** BREWOPS_ZIPKIN_PORT @default 9411 */
  readonly zipkin: number;
  /** BREWOPS_OPENSEARCH_PORT @default 9200 */
  readonly opensearch: number;
  /** BREWOPS_PROMETHEUS_PORT @default 9090 */
  readonly prometheus: number;
  /** BREWOPS_ALERTMANAGER_PORT @default 9093 */
  readonly alertmanager: number;
  /** BREWOPS_SUPERVISOR_PORT @default 9500 */
  readonly supervisor: number;
  /** BREWOPS_GATEWAY_PORT @default 8080 */
  readonly gateway: number;
}

const DEFAULTS: Record<keyof PortConfig, [env: string, port: number]> = {
  rabbitmqAmqp: ['BREWOPS_RABBITMQ_PORT', 5672],
  rabbitmqManagement: ['BREWOPS_RABBITMQ_MANAGEMENT_PORT', 15672],
  rabbitmqPrometheus: ['BREWOPS_RABBITMQ_PROMETHEUS_PORT', 15692],
  etcdClient: ['BREWOPS_ETCD_PORT', 2379],
  etcdPeer: ['BREWOPS_ETCD_PEER_PORT', 2380],
  zipkin: ['BREWOPS_ZIPKIN_PORT', 9411],
  opensearch: ['BREWOPS_OPENSEARCH_PORT', 9200],
  prometheus: ['BREWOPS_PROMETHEUS_PORT', 9090],
  alertmanager: ['BREWOPS_ALERTMANAGER_PORT', 9093],
  supervisor: ['BREWOPS_SUPERVISOR_PORT', 9500],
  gateway: ['BREWOPS_GATEWAY_PORT', 8080],
};

export function parsePort(value: string, name: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw usageError(`${name} must be a port number 1-65535, got "${value}"`);
  }
  return n;
}

/** Ports from the environment; a malformed override is a usage error naming the variable. */
export function readPorts(env: NodeJS.ProcessEnv = process.env): PortConfig {
  const out = {} as Record<keyof PortConfig, number>;
  for (const key of Object.keys(DEFAULTS) as (keyof PortConfig)[]) {
    const [name, port] = DEFAULTS[key];
    const v = env[name];
    out[key] = v === undefined || v === '' ? port : parsePort(v, name);
  }
  return out;
}

/** Name of the env variable that overrides a port, for fix hints. */
export function portEnvName(key: keyof PortConfig): string {
  return DEFAULTS[key][0];
}
