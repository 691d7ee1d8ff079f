import { ConfigError } from './errors.js';

/** What `/brewops/config/<service>` holds: the merged layers of one service, as pushed. */
export interface ConfigDocument {
  readonly format: 1;
  readonly service: string;
  /** Environment the layers were merged for (`dev`, `test`, `prod`). */
  readonly env: string;
  readonly pushedAt: string;
  /** `push`, or `rollback to <revision>`. */
  readonly origin: string;
  /** Dotted leaf key → layer file it came from (keys absent here are schema defaults). */
  readonly sources: Readonly<Record<string, string>>;
  /** The merged config, before defaults; every instance validates it with its schema. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A document with the etcd revision that wrote it. */
export interface StoredConfig {
  readonly revision: number;
  readonly document: ConfigDocument;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses an etcd value; throws `invalid_document` naming what is wrong. */
export function parseDocument(text: string): ConfigDocument {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('invalid_document', `config document is not JSON: ${(err as Error).message}`, [
      { path: '(document)', reason: 'not JSON' },
    ]);
  }
  const bad = (field: string): ConfigError =>
    new ConfigError('invalid_document', `config document field "${field}" is missing or has the wrong type`, [
      { path: `(document).${field}`, reason: 'missing or wrong type' },
    ]);
  if (!isRecord(v)) throw bad('(root)');
  if (v['format'] !== 1) throw bad('format');
  for (const f of ['service', 'env', 'pushedAt', 'origin'] as const) if (typeof v[f] !== 'string') throw bad(f);
  if (!isRecord(v['sources'])) throw bad('sources');
  if (!isRecord(v['config'])) throw bad('config');
  return v as unknown as ConfigDocument;
}

export function serializeDocument(doc: ConfigDocument): string {
  return JSON.stringify(doc);
}

/** Whether two documents carry the same config from the same layers (a re-push would change nothing). */
export function sameContent(a: ConfigDocument, b: ConfigDocument): boolean {
  return a.env === b.env && JSON.stringify(a.config) === JSON.stringify(b.config) && JSON.stringify(a.sources) === JSON.stringify(b.sources);
}
