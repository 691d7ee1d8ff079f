import type { InstanceInfo } from '@brewops/platform';

/** `<prefix>services/<service>/instances/<id>` (see semconv.instanceKey). */
const INSTANCE_KEY = /^\/brewops\/services\/([^/]+)\/instances\/([^/]+)$/;
const PREFIX = '/brewops/services/';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** The key just past every key that starts with `prefix` (etcd's range_end for a prefix scan). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! + 1;
  return bytes.toString('utf8');
}

function toInstance(key: string, value: string): InstanceInfo | null {
  const m = INSTANCE_KEY.exec(key);
  if (!m) return null;
  try {
    const v = JSON.parse(value) as Partial<InstanceInfo>;
    if (typeof v.host !== 'string' || typeof v.port !== 'number') return null;
    return {
      service: v.service ?? m[1]!,
      instanceId: v.instanceId ?? m[2]!,
      host: v.host,
      port: v.port,
      version: v.version ?? 'unknown',
      zone: v.zone ?? 'local',
      registeredAt: v.registeredAt ?? '',
    };
  } catch {
    return null;
  }
}

/**
 * Every instance registered in etcd, read through etcd's JSON gateway (`/v3/kv/range`), so the
 * supervisor needs no gRPC client. Throws when etcd does not answer.
 */
export async function readRegistrations(etcdUrl: string, timeoutMs = 2000): Promise<InstanceInfo[]> {
  const res = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: b64(PREFIX), range_end: b64(prefixRangeEnd(PREFIX)) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`etcd range ${PREFIX}: HTTP ${res.status}`);
  const body = (await res.json()) as { kvs?: Array<{ key: string; value?: string }> };
  return (body.kvs ?? []).flatMap((kv) => toInstance(unb64(kv.key), unb64(kv.value ?? '')) ?? []);
}
