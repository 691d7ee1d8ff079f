import { ConfigError, validateConfig } from '@brewops/platform';
import type { ConfigStore } from '@brewops/platform';
import { loadServiceSchema } from './config-schemas.js';
import { formatIssues } from './config-validate.js';

function leaves(v: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) {
    for (const [k, c] of Object.entries(v)) leaves(c, path ? `${path}.${k}` : k, out);
  } else out.set(path, JSON.stringify(v));
  return out;
}

/** Keys whose value differs between two raw configs. */
export function changedKeys(newer: unknown, older: unknown): string[] {
  const a = leaves(newer);
  const b = leaves(older);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** `brewops config history <service>`: versions newest first, with the keys each one changed. */
export async function configHistory(store: ConfigStore, service: string, limit: number, out = (l: string) => process.stdout.write(`${l}\n`)): Promise<number> {
  const versions = await store.history(service, limit);
  if (versions.length === 0) throw new ConfigError('not_found', `no config pushed for "${service}" (run brewops config push)`);
  out('revision  pushed at                 env   origin                 changed keys');
  versions.forEach((v, i) => {
    const older = versions[i + 1];
    const keys = older ? changedKeys(v.document.config, older.document.config) : ['(first version)'];
    const { pushedAt, env, origin } = v.document;
    out(`${String(v.revision).padEnd(8)}  ${pushedAt.padEnd(24)}  ${env.padEnd(4)}  ${origin.padEnd(21)}  ${keys.join(', ') || '(same values; layer files changed)'}`);
  });
  return 0;
}

/** `brewops config rollback <service> <revision>`: writes that version again (validated against today's schema). */
export async function configRollback(store: ConfigStore, root: string, service: string, revision: number, out = (l: string) => process.stdout.write(`${l}\n`)): Promise<number> {
  const target = await store.readAt(service, revision);
  const r = validateConfig(loadServiceSchema(root, service).schema, target.document.config);
  if (!r.ok) {
    throw new ConfigError('invalid_config', `revision ${revision} of "${service}" does not match the current schema; not rolled back:\n${formatIssues(r.issues.map((i) => ({ file: `revision ${revision}`, ...i })))}`, r.issues);
  }
  const written = await store.writeAll([{ ...target.document, pushedAt: new Date().toISOString(), origin: `rollback to ${revision}` }]);
  out(`${service}: config of revision ${revision} written again at revision ${written}`);
  return 0;
}
