import type { Readable } from 'node:stream';
import type Koa from 'koa';
import { AppError, notFound, semconv } from '@brewops/platform';
import { mayCall, type Principal } from '../auth/principal.js';
import type { GatewayConfig } from '../config.js';
import { decideRoute, HEADER_INTERNAL } from '../handlers/route-table.js';
import { ByteLimit, payloadTooLarge } from '../middleware/limits.js';
import type { Upstreams } from '../upstreams.js';

/** Route label of proxied requests in the RED histogram (dashboards use it). */
export const PROXY_ROUTE = '/api/:service{/*rest}';

/** Never forwarded either way (hop-by-hop), or replaced by the gateway. */
const HOP = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers',
  'transfer-encoding', 'upgrade', 'host', 'http2-settings', 'expect',
]);
/** Request headers kept at the edge: credentials, and trace/baggage the instrumentation re-injects. */
const DROP_REQUEST = new Set([
  'authorization', 'x-api-key', 'cookie', 'traceparent', 'tracestate', 'baggage', 'b3',
  'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'forwarded', 'x-forwarded-for',
]);
const DROP_RESPONSE = new Set([semconv.HEADER_CORRELATION_ID, HEADER_INTERNAL]);

const PREFIX = /^\/api\/([^/?]*)(?:\/([^?]*))?$/;

/**
 * Proxies `/api/<service>/<rest>` to a discovered instance, streaming both bodies. Internal
 * paths and answers a service marks internal (`x-brewops-internal`) are a JSON 404.
 */
export function proxyMiddleware(cfg: GatewayConfig, upstreams: Upstreams): Koa.Middleware {
  const services = new Set(cfg.services);
  return async function gatewayProxy(ctx) {
    (ctx as { _matchedRoute?: string })._matchedRoute = PROXY_ROUTE;
    const m = PREFIX.exec(ctx.path);
    const decision = decideRoute(m?.[1] ?? '', m?.[2] ?? '', ctx.querystring, services);
    if (decision.kind === 'unknown_service') throw notFound('unknown_service', 'no such public service');
    if (decision.kind === 'internal') throw notFound('not_found', 'not found');
    const principal = ctx.state['principal'] as Principal;
    if (!mayCall(principal, decision.service)) {
      throw new AppError({ status: 403, code: 'service_not_allowed', message: `these credentials may not call ${decision.service}` });
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.headers)) {
      if (HOP.has(name) || DROP_REQUEST.has(name) || value === undefined) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    headers[semconv.HEADER_CORRELATION_ID] = String(ctx.state['correlationId']);
    headers['x-forwarded-for'] = ctx.ip;
    headers['x-brewops-principal'] = principal.id;

    const hasBody = ctx.get('transfer-encoding') !== '' || Number(ctx.get('content-length') || '0') > 0;
    let limit: ByteLimit | undefined;
    let body: Readable | undefined;
    if (hasBody) {
      limit = new ByteLimit(cfg.maxBodyBytes);
      body = ctx.req.pipe(limit);
      ctx.req.on('error', (err) => limit?.destroy(err));
      delete headers['content-length'];
      if (ctx.get('content-length') !== '') headers['content-length'] = ctx.get('content-length');
    }
    const client = await upstreams.get(decision.service);
    let res;
    try {
      res = await client.stream({ method: ctx.method, path: decision.path, headers, ...(body ? { body } : {}) });
    } catch (err) {
      if (limit?.exceeded) throw payloadTooLarge(cfg.maxBodyBytes);
      throw err;
    }
    if (res.headers[HEADER_INTERNAL] !== undefined) {
      res.body.resume();
      throw notFound('not_found', 'not found');
    }
    ctx.status = res.status;
    for (const [name, value] of Object.entries(res.headers)) {
      if (value === undefined || HOP.has(name) || DROP_RESPONSE.has(name)) continue;
      ctx.set(name, value);
    }
    ctx.set('x-upstream-instance', res.instanceId);
    if (ctx.method === 'HEAD' || res.status === 204 || res.status === 304) {
      res.body.resume();
      return;
    }
    ctx.body = res.body;
  };
}
