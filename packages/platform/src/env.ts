import { hostname } from 'node:os';

/**
 * The process environment every brewops service instance is started with.
 * `brewops up` (the supervisor) sets these; every one has a default that works on one machine.
 */
export interface RuntimeEnv {
  /** Logical service name, e.g. `order`. Env `BREWOPS_SERVICE`. */
  readonly service: string;
  /** Unique id of this instance. Env `BREWOPS_INSTANCE_ID`. @default `<service>-<host>-<pid>` */
  readonly instanceId: string;
  /** Env `BREWOPS_VERSION`. @default `0.1.0` */
  readonly version: string;
  /** Env `BREWOPS_ZONE`. @default `local` */
  readonly zone: string;
  /** Interface to listen on and to register. Env `HOST`. @default `127.0.0.1` */
  readonly host: string;
  /** Port to listen on; 0 takes a free one, which is then registered. Env `PORT`. @default 0 */
  readonly port: number;
  /** Env `AMQP_URL`. @default `amqp://guest:guest@127.0.0.1:5672` */
  readonly amqpUrl: string;
  /** Comma-separated etcd endpoints. Env `ETCD_HOSTS`. @default `http://127.0.0.1:2379` */
  readonly etcdHosts: readonly string[];
  /** Zipkin v2 spans endpoint. Env `ZIPKIN_URL`. @default `http://127.0.0.1:9411/api/v2/spans` */
  readonly zipkinUrl: string;
  /** Env `LOG_LEVEL`. @default `info` */
  readonly logLevel: string;
  /** Directory for this instance's local state (last good config, databases). Env `BREWOPS_STATE_DIR`. @default `.brewops` */
  readonly stateDir: string;
  /** Lease TTL of the discovery registration, seconds. Env `DISCOVERY_TTL_SECONDS`. @default 3 */
  readonly discoveryTtlSeconds: number;
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function readRuntimeEnv(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { service?: string; port?: number } = {},
): RuntimeEnv {
  const service = env['BREWOPS_SERVICE'] ?? defaults.service;
  if (!service) throw new Error('BREWOPS_SERVICE is not set: every instance needs a service name');
  return {
    service,
    instanceId: env['BREWOPS_INSTANCE_ID'] ?? `${service}-${hostname()}-${process.pid}`,
    version: env['BREWOPS_VERSION'] ?? '0.1.0',
    zone: env['BREWOPS_ZONE'] ?? 'local',
    host: env['HOST'] ?? '127.0.0.1',
    port: int(env['PORT'], defaults.port ?? 0, 'PORT'),
    amqpUrl: env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
    etcdHosts: (env['ETCD_HOSTS'] ?? 'http://127.0.0.1:2379').split(',').map((h) => h.trim()).filter(Boolean),
    zipkinUrl: env['ZIPKIN_URL'] ?? 'http://127.0.0.1:9411/api/v2/spans',
    logLevel: env['LOG_LEVEL'] ?? 'info',
    stateDir: env['BREWOPS_STATE_DIR'] ?? '.brewops',
    discoveryTtlSeconds: int(env['DISCOVERY_TTL_SECONDS'], 3, 'DISCOVERY_TTL_SECONDS'),
  };
}
