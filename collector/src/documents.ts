import { createHash } from 'node:crypto';
import { maskPii, maskPiiDeep } from '@brewops/platform';
import { maskEncodedPii, maskEncodedPiiDeep } from './mask-encoded.js';

/** One document to index, with a stable id so a redelivered batch overwrites instead of duplicating. */
export interface IndexDoc {
  readonly index: string;
  readonly id: string;
  readonly source: Record<string, unknown>;
}

export interface DeadLetter {
  readonly reason: string;
  readonly raw: string;
  readonly source: string;
}

export function stableId(raw: string): string {
  return createHash('sha1').update(raw).digest('hex');
}

export function dailyIndex(prefix: string, timestamp: unknown, now = new Date()): string {
  const d = typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp)) ? new Date(timestamp) : now;
  return `${prefix}-${d.toISOString().slice(0, 10).replace(/-/g, '.')}`;
}

/**
 * Splits an NDJSON log batch into documents and dead letters. A line that is not a JSON object
 * with an `@timestamp` and a `message` is a dead letter, never a crash. PII that slipped past the
 * emitting service is masked here a second time.
 */
export function parseLogBatch(batch: string, indexPrefix: string): { docs: IndexDoc[]; dead: DeadLetter[] } {
  const docs: IndexDoc[] = [];
  const dead: DeadLetter[] = [];
  for (const line of batch.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      dead.push({ reason: 'malformed_json', raw: maskEncodedPii(maskPii(line.slice(0, 8192))), source: 'logs' });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      dead.push({ reason: 'not_an_object', raw: maskEncodedPii(maskPii(line.slice(0, 8192))), source: 'logs' });
      continue;
    }
    const doc = maskEncodedPiiDeep(maskPiiDeep(parsed)) as Record<string, unknown>;
    if (typeof doc['@timestamp'] !== 'string' || Number.isNaN(Date.parse(doc['@timestamp']))) {
      dead.push({ reason: 'missing_timestamp', raw: maskEncodedPii(maskPii(line.slice(0, 8192))), source: 'logs' });
      continue;
    }
    docs.push({ index: dailyIndex(indexPrefix, doc['@timestamp']), id: stableId(line), source: doc });
  }
  return { docs, dead };
}
