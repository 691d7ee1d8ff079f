import { getJson, urls } from './stack.js';

export interface LogDoc {
  '@timestamp': string;
  message: string;
  'log.level'?: string;
  service?: { name?: string; instance?: { id?: string } };
  trace?: { id?: string };
  correlation?: { id?: string };
  [k: string]: unknown;
}

/** Flattens dotted keys as the search backend stores objects, so `a.b` and `{a:{b}}` read the same. */
function field(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), doc);
}

export const logField = (doc: LogDoc, path: string): string | undefined => {
  const v = field(doc, path);
  return typeof v === 'string' ? v : undefined;
};

/** Log documents in the search backend matching a term query on a keyword field. */
export async function searchLogs(fieldName: string, value: string, size = 500): Promise<LogDoc[]> {
  const res = await getJson<{ hits: { hits: Array<{ _source: LogDoc }> } }>(`${urls.search()}/logs-brewops-*/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size, query: { term: { [fieldName]: value } } }),
  });
  return res.hits.hits.map((h) => h._source);
}

/** Full-text search over all log fields (to prove a raw value was never logged). */
export async function searchLogsText(text: string): Promise<number> {
  const res = await getJson<{ hits: { total: { value: number } } }>(`${urls.search()}/logs-brewops-*/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ size: 0, track_total_hits: true, query: { query_string: { query: `"${text.replace(/"/g, '\\"')}"`, default_field: '*' } } }),
  });
  return res.hits.total.value;
}

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name?: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

export async function zipkinTrace(traceId: string): Promise<ZipkinSpan[]> {
  const res = await fetch(`${urls.zipkin()}/api/v2/trace/${traceId}`);
  if (res.status === 404) return [];
  if (!res.ok) throw new Error(`zipkin trace ${traceId}: ${res.status}`);
  return (await res.json()) as ZipkinSpan[];
}

/** True when `ancestorId` is on the parent chain of `span`. */
export function isDescendant(spans: readonly ZipkinSpan[], span: ZipkinSpan, ancestorId: string): boolean {
  const byId = new Map(spans.map((s) => [s.id, s]));
  let cur: ZipkinSpan | undefined = span;
  for (let hops = 0; cur && hops < 100; hops++) {
    if (cur.parentId === ancestorId) return true;
    cur = cur.parentId ? byId.get(cur.parentId) : undefined;
  }
  return false;
}

export interface PromSeries { metric: Record<string, string>; value: [number, string] }

export async function promQuery(query: string): Promise<PromSeries[]> {
  const res = await getJson<{ status: string; data: { result: PromSeries[] } }>(
    `${urls.prometheus()}/api/v1/query?query=${encodeURIComponent(query)}`,
  );
  return res.data.result;
}
