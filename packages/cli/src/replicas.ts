import { usageError } from './errors.js';
import { DEFAULT_REPLICAS, isServiceName, MAX_REPLICAS, SERVICE_ORDER, type ServiceName } from './supervisor/services.js';

/**
 * Parses `--replicas member=3,order=2` over the defaults. Every error names the part to fix.
 */
export function parseReplicaSpec(spec: string | undefined): Record<ServiceName, number> {
  const out: Record<ServiceName, number> = { ...DEFAULT_REPLICAS };
  if (spec === undefined) return out;
  if (spec.trim() === '') throw usageError('--replicas needs <service>=<count>[,...], e.g. --replicas member=3,order=2');
  const seen = new Set<string>();
  for (const part of spec.split(',')) {
    const m = /^\s*([a-z-]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw usageError(`--replicas: "${part}" is not <service>=<count> (e.g. member=3)`);
    const [, name, count] = m as unknown as [string, string, string];
    if (!isServiceName(name)) throw usageError(`--replicas: unknown service "${name}" (known: ${SERVICE_ORDER.join(', ')})`);
    if (seen.has(name)) throw usageError(`--replicas: ${name} is given twice`);
    seen.add(name);
    const n = Number(count);
    if (!/^\d+$/.test(count) || n > MAX_REPLICAS) {
      throw usageError(`--replicas: count for ${name} must be an integer 0-${MAX_REPLICAS}, got "${count}"`);
    }
    out[name] = n;
  }
  return out;
}

/**
 * The replica counts `up` runs: `--replicas` where given, else `replicas` from each service's
 * effective config (config/ layers for the env), else the defaults. Also names every service whose
 * count was decided by a flag or by config (a running supervisor is scaled to those).
 */
export function resolveReplicas(
  flags: Readonly<Record<ServiceName, number>>,
  given: readonly ServiceName[],
  configured: Readonly<Record<string, number>>,
): { replicas: Record<ServiceName, number>; decided: ServiceName[] } {
  const replicas: Record<ServiceName, number> = { ...flags };
  const decided: ServiceName[] = [];
  for (const service of SERVICE_ORDER) {
    if (given.includes(service)) decided.push(service);
    else if (configured[service] !== undefined) {
      replicas[service] = Math.min(configured[service], MAX_REPLICAS);
      decided.push(service);
    }
  }
  return { replicas, decided };
}
