import { ConfigError, validateConfig } from '@brewops/platform';
import type { ConfigStore, StoredConfig } from '@brewops/platform';
import { loadServiceSchema } from './config-schemas.js';

export interface EffectiveEntry {
  readonly key: string;
  readonly value: unknown;
  /** Layer file that set it, or `default` (the schema's). */
  readonly source: string;
}

/** Dotted leaves of the effective config, each with the layer it came from. Secrets show only their reference. */
export function effectiveEntries(effective: Record<string, unknown>, sources: Readonly<Record<string, string>>): EffectiveEntry[] {
  const out: EffectiveEntry[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0 && !isSecretRef(path)) {
      for (const [k, child] of Object.entries(v)) walk(child, path ? `${path}.${k}` : k);
      return;
    }
    out.push({ key: path, value: v, source: sourceOf(sources, path) });
  };
  walk(effective, '');
  return out;
}

const isSecretRef = (path: string): boolean => /^secrets\.[^.]+$/.test(path);

function sourceOf(sources: Readonly<Record<string, string>>, path: string): string {
  if (sources[path]) return sources[path];
  const under = Object.keys(sources).find((k) => k.startsWith(`${path}.`));
  return under ? sources[under]! : 'default';
}

function show(key: string, v: unknown): string {
  if (isSecretRef(key) && typeof v === 'object' && v !== null) {
    const ref = v as { env?: string; file?: string };
    return ref.env ? `<secret from env ${ref.env}>` : `<secret from file ${ref.file ?? '?'}>`;
  }
  return JSON.stringify(v);
}

/** `brewops config get <service>`: the effective config (defaults filled in) and where each key came from. */
export async function getConfig(store: ConfigStore, root: string, service: string, json: boolean, out = (l: string) => process.stdout.write(`${l}\n`)): Promise<StoredConfig> {
  const stored = await store.read(service);
  if (!stored) throw new ConfigError('not_found', `no config pushed for "${service}" (run brewops config push)`);
  const { schema } = loadServiceSchema(root, service);
  const r = validateConfig(schema, stored.document.config);
  const effective = (r.ok ? r.value : stored.document.config) as Record<string, unknown>;
  const entries = effectiveEntries(effective, stored.document.sources);
  const { env, pushedAt, origin } = stored.document;
  if (json) {
    out(JSON.stringify({ service, revision: stored.revision, env, pushedAt, origin, valid: r.ok, entries: entries.map((e) => ({ ...e, value: isSecretRef(e.key) ? show(e.key, e.value) : e.value })) }, null, 2));
    return stored;
  }
  out(`${service}: revision ${stored.revision}, env ${env}, ${origin} at ${pushedAt}${r.ok ? '' : '  (INVALID for the current schema: instances refuse it)'}`);
  const width = Math.max(...entries.map((e) => e.key.length));
  for (const e of entries) out(`  ${e.key.padEnd(width)}  ${show(e.key, e.value).padEnd(12)}  ${e.source}`);
  return stored;
}
