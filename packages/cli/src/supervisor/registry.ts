import { toHttpSd, type HttpSdTargetGroup, type InstanceInfo } from '@brewops/platform';

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
      // the gateway: `port` is its admin listener (probes, scrapes), `publicPort` its traffic
      ...(typeof v.publicPort === 'number' ? { publicPort: v.publicPort } : {}),
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

/** One instance the supervisor runs, as http_sd needs it (`InstanceView` has more). */
export interface SupervisedInstance {
  readonly id: string;
  /** `stopped` means brewops stopped it on purpose (stop, restart, scale-in, shutdown). */
  readonly state: 'starting' | 'ready' | 'unready' | 'stopped' | 'exited';
}

/**
 * Prometheus http_sd targets for the local stack: which instances are expected to answer.
 * - Every registered instance is scraped. One the supervisor does not run (a test fixture, a
 *   process started by hand) gets the target label `expected="false"`: nobody restarts it, so its
 *   failing or leaving is not an outage (BrewopsInstanceDown ignores it).
 * - A supervised instance that is no longer registered but was not stopped by brewops (it crashed:
 *   `exited`; or it is starting again) stays a target at the address it was last registered at,
 *   so its scrapes fail (`up == 0`) until it is back, and the instance-down alert fires and
 *   resolves on `up` alone. One that left on purpose (stopped, scaled in) is no target at all.
 * `lastRegistered` holds each supervised instance's last registration (see `rememberRegistrations`).
 */
export function scrapeTargets(
  registered: readonly InstanceInfo[],
  supervised: readonly SupervisedInstance[],
  lastRegistered: ReadonlyMap<string, InstanceInfo>,
): HttpSdTargetGroup[] {
  const ids = new Set(supervised.map((i) => i.id));
  const now = new Set(registered.map((r) => r.instanceId));
  const missing = supervised
    .filter((i) => i.state !== 'stopped' && !now.has(i.id))
    .flatMap((i) => lastRegistered.get(i.id) ?? []);
  return toHttpSd([...registered, ...missing]).map((g) =>
    ids.has(g.labels['instance_id'] ?? '') ? g : { ...g, labels: { ...g.labels, expected: 'false' } });
}

/** Records the latest registration of each supervised instance; forgets instances no longer supervised. */
export function rememberRegistrations(
  lastRegistered: Map<string, InstanceInfo>,
  registered: readonly InstanceInfo[],
  supervisedIds: ReadonlySet<string>,
): void {
  for (const r of registered) if (supervisedIds.has(r.instanceId)) lastRegistered.set(r.instanceId, r);
  for (const id of [...lastRegistered.keys()]) if (!supervisedIds.has(id)) lastRegistered.delete(id);
}
