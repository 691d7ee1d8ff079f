import { Client } from '@opensearch-project/opensearch';
import type { Logger } from '@brewops/platform';
import type { CollectorConfig } from './config.js';
import type { DeadLetter, IndexDoc } from './documents.js';
import { stableId } from './documents.js';
import { indexTemplates, templateMappings } from './templates.js';

/** Transport-level failures worth retrying with the batch still unacknowledged. */
function isRetryable(err: unknown): boolean {
  const status = (err as { meta?: { statusCode?: number } } | null)?.meta?.statusCode;
  if (status === undefined) return true; // connection refused/reset, timeouts
  return status === 429 || status >= 500;
}

/** Bulk response trimmed to what a write checks (positions of items kept by `status`). */
const BULK_FILTER = 'errors,items.*.status,items.*.error';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Writes documents to the search backend. `write` resolves only when every document was
 * accepted or dead-lettered with its reason; while the backend is down it keeps retrying with
 * backoff (the caller keeps the RabbitMQ message unacknowledged meanwhile), until `close()`.
 */
export class SearchWriter {
  private readonly client: Client;
  private closed = false;
  private templatesReady = false;

  constructor(private readonly cfg: CollectorConfig, private readonly logger: Logger) {
    this.client = new Client({ node: cfg.searchUrl, requestTimeout: 30_000 });
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.cluster.health({}, { requestTimeout: 2000 });
      return true;
    } catch {
      return false;
    }
  }

  private async ensureTemplates(): Promise<void> {
    if (this.templatesReady) return;
    for (const t of indexTemplates(this.cfg)) {
      await this.client.indices.putIndexTemplate({ name: t.name, body: t.body as never });
      // Indices created before a template change get its additive changes (e.g. a new sub-field)
      // too; a conflicting change is only logged: it applies from the next daily index on.
      const { pattern, properties } = templateMappings(t);
      await this.client.indices.putMapping({ index: pattern, allow_no_indices: true, body: { properties } } as never).catch((err: unknown) => {
        if (!isRetryable(err)) this.logger.warn({ err, pattern }, 'existing indices keep their mapping; the template applies from the next index');
        else throw err;
      });
    }
    this.templatesReady = true;
  }

  async write(docs: readonly IndexDoc[], dead: readonly DeadLetter[]): Promise<{ indexed: number; deadLettered: number }> {
    let delay = 200;
    for (;;) {
      try {
        await this.ensureTemplates();
        return await this.bulkOnce(docs, dead);
      } catch (err) {
        if (this.closed || !isRetryable(err)) throw err;
        this.logger.warn({ err, retryInMs: delay }, 'search backend unavailable; batch kept unacknowledged, retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, this.cfg.maxRetryDelayMs);
      }
    }
  }

  /** NDJSON of dead letters (action and source lines), each line ending in `\n`. */
  private deadLetterLines(dead: readonly DeadLetter[]): string {
    const now = new Date().toISOString();
    const action = `{"index":{"_index":${JSON.stringify(this.cfg.deadLetterIndex)},"_id":"`;
    let out = '';
    for (const d of dead) {
      out += `${action}${stableId(d.reason + d.raw)}"}}\n${JSON.stringify({ '@timestamp': now, reason: d.reason, source: d.source, raw: d.raw })}\n`;
    }
    return out;
  }

  /**
   * One bulk as a prebuilt NDJSON string (a received line that masking left alone is its own
   * source: no second serialization); the response is trimmed to `errors` and each item's
   * status and error, all a write needs, instead of ~200 bytes of metadata per document.
   */
  private async bulkOnce(docs: readonly IndexDoc[], dead: readonly DeadLetter[]): Promise<{ indexed: number; deadLettered: number }> {
    if (docs.length === 0 && dead.length === 0) return { indexed: 0, deadLettered: 0 };
    const parts: string[] = [];
    let lastIndex = '';
    let action = '';
    for (const d of docs) {
      if (d.index !== lastIndex) {
        lastIndex = d.index;
        action = `{"index":{"_index":${JSON.stringify(d.index)},"_id":"`;
      }
      // ids are hex digests or event message ids: JSON-escape the latter
      const id = /^[0-9a-f]+$/.test(d.id) ? d.id : JSON.stringify(d.id).slice(1, -1);
      parts.push(`${action}${id}"}}`, d.json ?? JSON.stringify(d.source));
    }
    const body = parts.length > 0 ? `${parts.join('\n')}\n${this.deadLetterLines(dead)}` : this.deadLetterLines(dead);
    const res = await this.client.bulk({ body, filter_path: BULK_FILTER } as never);
    const resBody = res.body as { errors?: boolean; items?: Array<Record<string, { status: number; error?: { type?: string; reason?: string } }>> };
    if (resBody.errors === false) return { indexed: docs.length, deadLettered: dead.length };
    const items = resBody.items ?? [];
    const rejected: DeadLetter[] = [];
    let retryable = false;
    items.forEach((item, i) => {
      const op = Object.values(item)[0];
      if (!op || op.status < 300) return;
      if (op.status === 429 || op.status >= 500) { retryable = true; return; }
      const doc = docs[i];
      if (doc) rejected.push({ reason: `${op.error?.type ?? 'rejected'}: ${op.error?.reason ?? op.status}`.slice(0, 1000), raw: JSON.stringify(doc.source).slice(0, 8192), source: doc.index });
    });
    if (retryable) throw Object.assign(new Error('bulk had retryable item failures'), { meta: { statusCode: 503 } });
    if (rejected.length > 0) {
      // Mapping conflicts and the like: park them with the reason; the pipeline keeps flowing.
      await this.client.bulk({ body: this.deadLetterLines(rejected), filter_path: BULK_FILTER } as never);
    }
    return { indexed: docs.length - rejected.length, deadLettered: dead.length + rejected.length };
  }

  /** Names of the indices matching `patterns` (retention). */
  async listIndices(patterns: readonly string[]): Promise<string[]> {
    const res = await this.client.cat.indices({ index: patterns.join(','), format: 'json', expand_wildcards: 'open' } as never);
    return ((res.body as unknown as Array<{ index: string }>) ?? []).map((r) => r.index);
  }

  async deleteIndices(names: readonly string[]): Promise<void> {
    if (names.length > 0) await this.client.indices.delete({ index: names.join(',') } as never);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close();
  }
}
