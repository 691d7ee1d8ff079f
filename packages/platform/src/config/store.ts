import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '../util/etcd-client.js';
import { configKey } from '../semconv.js';
import { parseDocument, serializeDocument } from './document.js';
import type { ConfigDocument, StoredConfig } from './document.js';
import { ConfigError } from './errors.js';

export interface ConfigStoreOptions {
  readonly hosts: readonly string[];
  /** Deadline of each unary call, ms. @default 3000 */
  readonly callTimeoutMs?: number;
}

/** The config watch's etcd client: short deadlines, and back within about a second of etcd (see createEtcdClient). */
export function createConfigEtcdClient(hosts: readonly string[], callTimeoutMs: number): Etcd3 {
  return createEtcdClient(hosts, callTimeoutMs);
}

/**
 * Config documents in etcd, one key per service. History is the key's etcd revisions (MVCC):
 * etcd keeps them until a compaction, which the local stack never runs.
 */
export class ConfigStore {
  readonly client: Etcd3;

  constructor(opts: ConfigStoreOptions) {
    this.client = createConfigEtcdClient(opts.hosts, opts.callTimeoutMs ?? 3000);
  }

  /** The current document, or null when nothing was pushed. */
  async read(service: string): Promise<StoredConfig | null> {
    const res = await this.call('read', this.client.get(configKey(service)).exec());
    const kv = res.kvs[0];
    return kv ? { revision: Number(kv.mod_revision), document: parseDocument(kv.value.toString('utf8')) } : null;
  }

  /** The document as it was written at `revision` (which must be one of the key's write revisions). */
  async readAt(service: string, revision: number): Promise<StoredConfig> {
    const res = await this.call('read', this.client.get(configKey(service)).revision(String(revision)).exec()).catch((err: unknown) => {
      throw new ConfigError('revision_not_found', `no config of "${service}" at revision ${revision}: ${(err as Error).message}`);
    });
    const kv = res.kvs[0];
    if (!kv || Number(kv.mod_revision) !== revision) {
      throw new ConfigError('revision_not_found', `revision ${revision} is not a version of the config of "${service}" (see brewops config history ${service})`);
    }
    return { revision, document: parseDocument(kv.value.toString('utf8')) };
  }

  /** Versions newest first, walking back through etcd revisions (stops at a compaction or a delete). */
  async history(service: string, limit = 20): Promise<StoredConfig[]> {
    const out: StoredConfig[] = [];
    let current = await this.read(service).catch(() => null);
    while (current && out.length < limit) {
      out.push(current);
      const res = await this.client.get(configKey(service)).revision(String(current.revision - 1)).exec().catch(() => null);
      const kv = res?.kvs[0];
      if (!kv) break;
      let document: ConfigDocument;
      try {
        document = parseDocument(kv.value.toString('utf8'));
      } catch {
        document = { format: 1, service, env: '?', pushedAt: '?', origin: 'not a config document', sources: {}, config: {} };
      }
      current = { revision: Number(kv.mod_revision), document };
    }
    return out;
  }

  /** Writes every document in one etcd transaction (all or nothing); returns the new revision. */
  async writeAll(documents: readonly ConfigDocument[]): Promise<number> {
    const txn = this.client.if(configKey(documents[0]?.service ?? '_'), 'Version', '>', -1);
    const res = await this.call('write', txn.then(...documents.map((d) => this.client.put(configKey(d.service)).value(serializeDocument(d)))).commit());
    return Number(res.header.revision);
  }

  close(): void {
    this.client.close();
  }

  private async call<T>(what: string, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw new ConfigError('etcd_unavailable', `etcd config ${what} failed: ${err instanceof Error ? err.message : String(err)}`, [], { cause: err });
    }
  }
}
