import type Koa from 'koa';

const ALLOW_HEADERS = 'accept, authorization, content-type, idempotency-key, x-api-key, x-correlation-id';
const EXPOSE_HEADERS = 'x-correlation-id, x-upstream-instance, retry-after, ratelimit-limit, ratelimit-remaining';
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * CORS for the browser client: allowed origins get `access-control-allow-origin` on every answer
 * (errors included); preflights are answered here with 204 and never reach auth or upstreams.
 * Credentials travel in headers (API key, bearer token), never cookies, so no allow-credentials.
 */
export function corsMiddleware(origins: readonly string[]): Koa.Middleware {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  return function gatewayCors(ctx, next) {
    const origin = ctx.get('origin');
    ctx.vary('origin');
    if (origin === '' || !(any || allowed.has(origin))) return next();
    ctx.set('access-control-allow-origin', any ? '*' : origin);
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method') !== '') {
      ctx.set('access-control-allow-methods', ALLOW_METHODS);
      ctx.set('access-control-allow-headers', ALLOW_HEADERS);
      ctx.set('access-control-max-age', '600');
      ctx.status = 204;
      return undefined;
    }
    ctx.set('access-control-expose-headers', EXPOSE_HEADERS);
    return next();
  };
}
