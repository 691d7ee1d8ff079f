import type { ConfigDocument, ConfigStore } from '@brewops/platform';

/** The fault keys a scenario sets, with what was there before (undefined: absent), to put back at the end. */
export type PriorFlags = Readonly<Record<string, unknown>>;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where the flags go: `faults.instances.<id>` for an instance, `faults` for the whole service. */
function faultPath(instanceId: string | null): string[] {
  return instanceId === null ? ['faults'] : ['faults', 'instances', instanceId];
}

function sourceKey(instanceId: string | null, key: string): string {
  return [...faultPath(instanceId), key].join('.');
}

/** A deep copy of `config` with the object at `path` (created when missing) passed to `edit`. */
function editAt(config: Readonly<Json>, path: readonly string[], edit: (o: Json) => void): Json {
  const copy = structuredClone(config) as Json;
  let o = copy;
  for (const p of path) {
    if (!isObject(o[p])) o[p] = {};
    o = o[p] as Json;
  }
  edit(o);
  return copy;
}

/** Drops `faults.instances.<id>` / `faults.instances` / `faults` when they became empty. */
function prune(config: Json, instanceId: string | null): Json {
  const faults = config['faults'];
  if (!isObject(faults)) return config;
  const instances = faults['instances'];
  if (instanceId !== null && isObject(instances)) {
    if (isObject(instances[instanceId]) && Object.keys(instances[instanceId] as Json).length === 0) delete instances[instanceId];
    if (Object.keys(instances).length === 0) delete faults['instances'];
  }
  if (Object.keys(faults).length === 0) delete config['faults'];
  return config;
}

/** The document with `flags` set for the target, and the values they replaced. Pure. */
export function withFlags(doc: ConfigDocument, instanceId: string | null, flags: Readonly<Json>, origin: string, now: Date): { document: ConfigDocument; prior: PriorFlags } {
  const prior: Json = {};
  const config = editAt(doc.config, faultPath(instanceId), (o) => {
    for (const [k, v] of Object.entries(flags)) {
      prior[k] = o[k];
      o[k] = v;
    }
  });
  const sources: Record<string, string> = { ...doc.sources };
  for (const k of Object.keys(flags)) sources[sourceKey(instanceId, k)] = origin;
  return { document: { ...doc, config, sources, origin, pushedAt: now.toISOString() }, prior };
}

/** The document with the keys in `prior` put back as they were (removed when they were absent). Pure. */
export function withoutFlags(doc: ConfigDocument, instanceId: string | null, prior: PriorFlags, origin: string, now: Date): ConfigDocument {
  const config = prune(editAt(doc.config, faultPath(instanceId), (o) => {
    for (const [k, v] of Object.entries(prior)) {
      if (v === undefined) delete o[k];
      else o[k] = v;
    }
  }), instanceId);
  const sources: Record<string, string> = { ...doc.sources };
  for (const [k, v] of Object.entries(prior)) if (v === undefined) delete sources[sourceKey(instanceId, k)];
  return { ...doc, config, sources, origin, pushedAt: now.toISOString() };
}

/** Sets fault flags of one service (or one of its instances) in etcd; every instance applies them live. */
export async function setFlags(store: ConfigStore, service: string, instanceId: string | null, flags: Readonly<Json>, origin: string): Promise<{ revision: number; prior: PriorFlags }> {
  const current = await store.read(service);
  if (!current) throw new Error(`no config of "${service}" in etcd: run brewops config push first`);
  const { document, prior } = withFlags(current.document, instanceId, flags, origin, new Date());
  return { revision: await store.writeAll([document]), prior };
}

/** Puts back what `setFlags` replaced. */
export async function clearFlags(store: ConfigStore, service: string, instanceId: string | null, prior: PriorFlags, origin: string): Promise<number> {
  const current = await store.read(service);
  if (!current) return 0;
  return store.writeAll([withoutFlags(current.document, instanceId, prior, origin, new Date())]);
}
