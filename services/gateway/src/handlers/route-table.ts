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
  // The common case, segments of unreserved characters only (no `%`, no empty, `.` or `..`
  // segment): decoding, normalising and re-encoding would give back '/' + rest.
  const path = PLAIN.test(rest) && !DOT_SEGMENT.test(rest) ? '/' + rest : normalise(rest);
  // Routers match case-insensitively (@koa/router's default): `/METRICS` is `/metrics` upstream.
  const lower = path.toLowerCase();
  if (INTERNAL_PREFIXES.some((p) => lower === p || lower.startsWith(p + '/'))) return { kind: 'internal' };
  return { kind: 'proxy', service, path: query ? `${path}?${query}` : path };
}

/** Non-empty segments of unreserved characters (linear: `/` is not in the class). */
const PLAIN = /^[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/;
/** A `.` or `..` segment. */
const DOT_SEGMENT = /(?:^|\/)\.{1,2}(?:\/|$)/;

/** Decoded, dot segments resolved (never above the root), empty segments dropped, re-encoded. */
function normalise(rest: string): string {
  const segments: string[] = [];
  for (const seg of safeDecode(rest).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
