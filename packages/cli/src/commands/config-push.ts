import { sameContent } from '@brewops/platform';
import type { ConfigDocument, ConfigStore } from '@brewops/platform';
import { listServices, loadServiceSchema } from './config-schemas.js';
import { formatIssues, planPush } from './config-validate.js';

export interface PushOptions {
  readonly root: string;
  readonly dir: string;
  readonly env: string;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

export interface PushResult {
  readonly ok: boolean;
  /** Services whose document was written (their config changed), with the new revision. */
  readonly written: readonly string[];
  readonly revision: number | null;
  /** Every service's merged, validated document (empty when refused). */
  readonly documents: readonly ConfigDocument[];
}

/**
 * `brewops config push`: validates every layer against every service's schema first; on any
 * issue it writes nothing and lists them (file:line, key, reason). Otherwise the changed
 * services' documents are written in one etcd transaction; unchanged ones are left alone.
 */
export async function pushConfig(store: ConfigStore, opts: PushOptions): Promise<PushResult> {
  const out = opts.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = opts.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  const schemas = listServices(opts.root).map((s) => loadServiceSchema(opts.root, s));
  const plan = planPush(opts.root, opts.dir, opts.env, schemas);
  if (plan.issues.length > 0) {
    err(`brewops: config push refused (${plan.issues.length} issue(s)); nothing was written:\n${formatIssues(plan.issues)}`);
    return { ok: false, written: [], revision: null, documents: [] };
  }
  const changed = [];
  for (const doc of plan.documents) {
    const current = await store.read(doc.service).catch(() => null);
    if (!current || !sameContent(current.document, doc)) changed.push(doc);
  }
  if (changed.length === 0) {
    out(`config (${opts.env}): unchanged for ${plan.documents.length} services`);
    return { ok: true, written: [], revision: null, documents: plan.documents };
  }
  const revision = await store.writeAll(changed);
  out(`config (${opts.env}) pushed at revision ${revision}: ${changed.map((d) => d.service).join(', ')}`);
  return { ok: true, written: changed.map((d) => d.service), revision, documents: plan.documents };
}
