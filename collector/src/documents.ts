import { hash } from 'node:crypto';
import { maskPii, maskPiiDeep } from '@brewops/platform';
import { maskEncodedPii, maskEncodedPiiDeep } from './mask-encoded.js';

/** One document to index, with a stable id so a redelivered batch overwrites instead of duplicating. */
export interface IndexDoc {
  readonly index: string;
  readonly id: string;
  readonly source: Record<string, unknown>;
  /** `source` as one line of JSON when already at hand (the received line, when masking changed nothing). */
  readonly json?: string | undefined;
  /** `@timestamp` in ms since the epoch, when known (end-to-end delay metric). */
  readonly timeMs?: number;
}

export interface DeadLetter {
  readonly reason: string;
  readonly raw: string;
  readonly source: string;
}

/** sha1 of the raw text, hex: the same line always gets the same id. */
export function stableId(raw: string): string {
  return hash('sha1', raw, 'hex');
}

/**
 * A stable id that starts with the line's own time (ms, 12 hex digits), then the first 128 bits
 * of the line's sha1. Lucene looks up every supplied id before it indexes the document; ids that
 * rise with time share prefixes and compress into few term blocks, where random hex ids scatter
 * across all of them ("pick an id that is friendly to Lucene", Elasticsearch's tuning guide).
 */
export function timeOrderedId(ms: number, raw: string): string {
  return ms.toString(16).padStart(12, '0') + hash('sha1', raw, 'hex').slice(0, 32);
}

const DAY_MS = 86_400_000;
let lastDay = NaN;
let lastDayName = '';

/** `YYYY.MM.DD` (UTC) of a time in ms; the last day is cached (nearly every line of a batch shares it). */
function dayName(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== lastDay) {
    lastDayName = new Date(day * DAY_MS).toISOString().slice(0, 10).replace(/-/g, '.');
    lastDay = day;
  }
  return lastDayName;
}

export function dailyIndex(prefix: string, timestamp: unknown, now = new Date()): string {
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
  return `${prefix}-${dayName(Number.isNaN(ms) ? now.getTime() : ms)}`;
}

const maskText = (s: string): string => maskEncodedPii(maskPii(s));

/**
 * True if the maskers find nothing anywhere in a JSON line. The `"@timestamp"` key (its `@` would
 * send every line through the full e-mail pattern) is left out: keys are never masked, and no
 * masked pattern spans a quote, so this changes nothing for the values.
 */
function passesMasking(line: string): boolean {
  const probe = line.replace('"@timestamp":', '"":');
  return maskText(probe) === probe;
}

/**
 * Splits an NDJSON log batch into documents and dead letters. A line that is not a JSON object
 * with an `@timestamp` and a `message` is a dead letter, never a crash. PII that slipped past the
 * emitting service is masked here a second time.
 *
 * A line that masking leaves as it is keeps its received text as the bulk source (`json`), so it
 * is not serialized again. Only when the masked copy is the very object parsed (no string value
 * changed) and the whole line also passes the maskers unchanged (which covers keys parsed over by
 * a duplicate and numbers) and has no `\u` escape the maskers could not see through.
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
      dead.push({ reason: 'malformed_json', raw: maskText(line.slice(0, 8192)), source: 'logs' });
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      dead.push({ reason: 'not_an_object', raw: maskText(line.slice(0, 8192)), source: 'logs' });
      continue;
    }
    const doc = maskEncodedPiiDeep(maskPiiDeep(parsed)) as Record<string, unknown>;
    const ts = doc['@timestamp'];
    const ms = typeof ts === 'string' ? Date.parse(ts) : NaN;
    if (Number.isNaN(ms)) {
      dead.push({ reason: 'missing_timestamp', raw: maskText(line.slice(0, 8192)), source: 'logs' });
      continue;
    }
    const asReceived = doc === parsed && !line.includes('\\u') && passesMasking(line);
    docs.push({
      index: `${indexPrefix}-${dayName(ms)}`,
      id: timeOrderedId(ms, line),
      source: doc,
      json: asReceived ? line : undefined,
      timeMs: ms,
    });
  }
  return { docs, dead };
}
