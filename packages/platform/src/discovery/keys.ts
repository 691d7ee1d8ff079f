import { ETCD_PREFIX, instanceKey, overrideKey } from '../semconv.js';
import { DiscoveryError } from './errors.js';
import type { InstanceInfo, InstanceOverride } from './types.js';

/** Every service lives under this prefix: `<prefix>services/<service>/{instances,overrides}/<id>`. */
export const SERVICES_PREFIX = `${ETCD_PREFIX}services/`;

/** Prefix holding one service's instances and overrides (trailing `/`, so `order` never matches `orders`). */
export const servicePrefix = (service: string): string => `${SERVICES_PREFIX}${service}/`;

export interface ParsedKey {
  readonly kind: 'instance' | 'override';
  readonly service: string;
  readonly instanceId: string;
}

/** Inverse of `instanceKey` / `overrideKey`; `undefined` for anything else under the prefix. */
export function parseKey(key: string): ParsedKey | undefined {
  if (!key.startsWith(SERVICES_PREFIX)) return undefined;
  const parts = key.slice(SERVICES_PREFIX.length).split('/');
  if (parts.length !== 3) return undefined;
  const [service, folder, instanceId] = parts as [string, string, string];
  if (!service || !instanceId) return undefined;
  if (folder === 'instances' && key === instanceKey(service, instanceId)) return { kind: 'instance', service, instanceId };
  if (folder === 'overrides' && key === overrideKey(service, instanceId)) return { kind: 'override', service, instanceId };
  return undefined;
}

/** Throws `invalid_instance` unless `value` can be one segment of a key. */
export function assertKeySegment(what: string, value: string): void {
  if (typeof value !== 'string' || value === '' || value.includes('/')) {
    throw new DiscoveryError('invalid_instance', `${what} must be a non-empty string without "/", got ${JSON.stringify(value)}`);
  }
}

const OVERRIDES: ReadonlySet<string> = new Set<InstanceOverride>(['OUT_OF_SERVICE']);

/** The override a key's value stands for; unknown values count as no override. */
export function parseOverride(value: string): InstanceOverride | null {
  const v = value.trim();
  return OVERRIDES.has(v) ? (v as InstanceOverride) : null;
}

/** A registered value, if it is a well-formed InstanceInfo that matches its key. */
export function parseInstanceInfo(value: string, key: ParsedKey): InstanceInfo | undefined {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string): boolean => typeof o[k] === 'string';
  if (!str('host') || !str('version') || !str('zone') || !str('registeredAt')) return undefined;
  if (typeof o['port'] !== 'number' || !Number.isInteger(o['port'])) return undefined;
  if (o['service'] !== key.service || o['instanceId'] !== key.instanceId) return undefined;
  const publicPort = o['publicPort'];
  return {
    service: key.service,
    instanceId: key.instanceId,
    host: o['host'] as string,
    port: o['port'] as number,
    ...(typeof publicPort === 'number' && Number.isInteger(publicPort) ? { publicPort } : {}),
    version: o['version'] as string,
    zone: o['zone'] as string,
    registeredAt: o['registeredAt'] as string,
  };
}
