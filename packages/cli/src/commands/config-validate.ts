import { validateConfig } from '@brewops/platform';
import type { ConfigDocument } from '@brewops/platform';
import { layersFor, loadTree, locate, mergeLayers } from './config-layers.js';
import type { LayerIssue } from './config-layers.js';
import type { ServiceSchema } from './config-schemas.js';

/** Leaf keys that look like a secret must not hold a value in YAML (use `secrets.<name>: {env|file}`). */
const SECRET_KEY = /(secret|password|passwd|token|api[_-]?key|private[_-]?key|credential)/i;

export interface PushPlan {
  readonly documents: readonly ConfigDocument[];
  readonly issues: readonly LayerIssue[];
}

function secretIssues(config: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (path === 'secrets') continue;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.push(...secretIssues(v as Record<string, unknown>, path));
    else if (typeof v === 'string' && SECRET_KEY.test(k)) out.push(path);
  }
  return out;
}

/**
 * Merges and validates the layers of every service for `env`. Nothing is written here: a push
 * goes ahead only when `issues` is empty. The same bad key of a shared file is reported once,
 * with every service it breaks.
 */
export function planPush(root: string, dir: string, env: string, schemas: readonly ServiceSchema[], now = new Date()): PushPlan {
  const issues: LayerIssue[] = [];
  const tree = loadTree(dir, env, root, issues);
  if (!tree.envs.includes(env)) {
    issues.push({ file: `config/env/${env}.yaml`, path: '(file)', reason: `no such environment (known: ${tree.envs.join(', ') || 'none'})` });
  }
  const known = new Set(schemas.map((s) => s.service));
  for (const stem of tree.services.keys()) {
    const [svc, fileEnv] = stem.split('.');
    const file = tree.services.get(stem)!.file;
    if (!known.has(svc!)) issues.push({ file, path: '(file)', reason: `no service "${svc}" (services: ${[...known].join(', ')})` });
    else if (fileEnv !== undefined && !tree.envs.includes(fileEnv)) issues.push({ file, path: '(file)', reason: `no environment "${fileEnv}"` });
  }
  const byKey = new Map<string, LayerIssue & { services: string[] }>();
  const documents: ConfigDocument[] = [];
  for (const { service, schema } of schemas) {
    const layers = layersFor(tree, service, env);
    const { config, sources } = mergeLayers(layers);
    const found = [
      ...secretIssues(config).map((path) => ({ path, reason: 'looks like a secret: put it in an env variable or a secrets file and reference it under secrets.<name>' })),
      ...(() => {
        const r = validateConfig(schema, config);
        return r.ok ? [] : r.issues;
      })(),
    ];
    for (const issue of found) {
      const where = locate(layers, issue.path);
      const key = `${where.file}\0${issue.path}\0${issue.reason}`;
      const seen = byKey.get(key);
      if (seen) seen.services.push(service);
      else byKey.set(key, { ...where, path: issue.path, reason: issue.reason, services: [service] });
    }
    documents.push({ format: 1, service, env, pushedAt: now.toISOString(), origin: 'push', sources, config });
  }
  issues.push(...byKey.values());
  return { documents, issues };
}

/** `file:line: path: reason (services)` lines, for the terminal. */
export function formatIssues(issues: readonly LayerIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line ? `${i.file}:${i.line}` : i.file;
      const svcs = i.services?.length ? ` [${i.services.join(', ')}]` : '';
      return `  ${where}: ${i.path}: ${i.reason}${svcs}`;
    })
    .join('\n');
}
