import { parseEvent } from '@brewops/contracts';
import type { AnyDomainEvent } from '@brewops/contracts';

/** Where the collector archives every domain event (one document per event, id = message ID). */
export interface ArchiveSource {
  /** Search backend base URL, e.g. `http://127.0.0.1:9200`. */
  readonly url: string;
  /** @default `events-brewops-*` */
  readonly indexPattern?: string;
  /** Only the events of one order (tests, repairs); all events when absent. */
  readonly orderId?: string;
  /** Documents per page. @default 1000 */
  readonly pageSize?: number;
}

/** The archived document back to the event as it was published (the collector adds a few fields). */
export function envelopeOf(source: Record<string, unknown>): unknown {
  const { messageId, type, version, occurredAt, correlationId, payload } = source;
  return { messageId, type, version, occurredAt, ...(correlationId !== undefined && correlationId !== null ? { correlationId } : {}), payload };
}

/**
 * Every archived event in the order it happened (occurredAt, then message ID), page by page
 * with `search_after`. Documents that fail their contract are counted, not applied.
 */
export async function* archivedEvents(src: ArchiveSource, onInvalid: (reason: string) => void = () => undefined): AsyncGenerator<AnyDomainEvent> {
  const size = src.pageSize ?? 1000;
  let after: unknown[] | undefined;
  for (;;) {
    const query = src.orderId ? { term: { 'payload.orderId': src.orderId } } : { match_all: {} };
    const res = await fetch(`${src.url}/${src.indexPattern ?? 'events-brewops-*'}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size, query, sort: [{ occurredAt: 'asc' }, { messageId: 'asc' }], ...(after ? { search_after: after } : {}) }),
    });
    if (res.status === 404) return;
    if (!res.ok) throw new Error(`event archive search → ${res.status}: ${(await res.text()).slice(0, 300)}`);
    const hits = ((await res.json()) as { hits: { hits: Array<{ _source: Record<string, unknown>; sort: unknown[] }> } }).hits.hits;
    for (const h of hits) {
      const parsed = parseEvent(envelopeOf(h._source));
      if (parsed.ok) yield parsed.event;
      else onInvalid(parsed.reason);
    }
    if (hits.length < size) return;
    after = hits[hits.length - 1]!.sort;
  }
}
