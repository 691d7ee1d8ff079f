/** Services reachable through the gateway, by the first path segment after /api/. */
export const PUBLIC_SERVICES: ReadonlySet<string> = new Set(['order', 'member', 'status']);

/** Upstream paths that are never reachable from outside, whatever the service. */
const INTERNAL_PREFIXES = ['/metrics', '/health', '/admin', '/internal'];

/** Response header by which a service marks an answer internal: the gateway answers 404 instead. */
export const HEADER_INTERNAL = 'x-brewops-internal';

export type RouteDecision =
  | { readonly kind: 'proxy'; readonly service: string; readonly path: string }
  | { readonly kind: 'unknown_service'; readonly service: string }
  | { readonly kind: 'internal' };

/**
 * Maps `/api/<service>/<rest>?<query>` to the upstream service and path. Pure; tested without HTTP.
 * Dot segments and encoded slashes are normalised first so `/api/order/v1/../metrics` cannot
 * reach an internal path.
 */
export function decideRoute(service: string, rest: string, query: string, services: ReadonlySet<string> = PUBLIC_SERVICES): RouteDecision {
  if (!services.has(service)) return { kind: 'unknown_service', service };
  const decoded = safeDecode(rest);
  const segments: string[] = [];
  for (const seg of decoded.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const path = '/' + segments.map((s) => encodeURIComponent(s)).join('/');
  if (INTERNAL_PREFIXES.some((p) => path === p || path.startsWith(p + '/'))) return { kind: 'internal' };
  return { kind: 'proxy', service, path: query ? `${path}?${query}` : path };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
