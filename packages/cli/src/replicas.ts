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
