import type Koa from 'koa';

/** Route label of requests no route matched. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * The route TEMPLATE that handled the request (`/v1/members/:id`), as @koa/router records it in
 * `ctx._matchedRoute`; never the raw path, which would make one series per ID.
 */
export function routeTemplate(ctx: Koa.Context): string {
  const matched = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return matched === undefined ? UNMATCHED_ROUTE : String(matched);
}

/** The request method, or `_OTHER` for non-standard ones (bounded label cardinality). */
export function methodLabel(method: string): string {
  const m = method.toUpperCase();
  return KNOWN_METHODS.has(m) ? m : '_OTHER';
}
