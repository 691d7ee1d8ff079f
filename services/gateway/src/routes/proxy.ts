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
 * Proxies `/api/<service>/<rest>` to a discovered instance. The request body streams; the answer
 * streams too unless it is small with a known length (`GATEWAY_BUFFER_RESPONSE_BYTES`). Internal
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
    const incoming = ctx.headers;
    for (const name in incoming) {
      const value = incoming[name];
      if (value === undefined || HOP.has(name) || DROP_REQUEST.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    headers[semconv.HEADER_CORRELATION_ID] = String(ctx.state['correlationId']);
    headers['x-forwarded-for'] = ctx.ip;
    headers['x-brewops-principal'] = principal.id;

    const contentLength = incoming['content-length'];
    const te = incoming['transfer-encoding'];
    const hasBody = (te !== undefined && te !== '') || Number(contentLength || '0') > 0;
    let limit: ByteLimit | undefined;
    let body: Readable | undefined;
    if (hasBody) {
      limit = new ByteLimit(cfg.maxBodyBytes);
      body = ctx.req.pipe(limit);
      ctx.req.on('error', (err) => limit?.destroy(err));
      // A client that resets the connection mid-body destroys `limit` with ECONNRESET, possibly
      // before the upstream call reads it or after it failed: without a listener that 'error'
      // would crash the gateway (the fuzz test found it). The upstream call sees the destroyed
      // stream and fails on its own; the error is that call's, not the process's.
      limit.on('error', () => undefined);
      delete headers['content-length'];
      if (contentLength !== undefined && contentLength !== '') headers['content-length'] = contentLength;
    }
    const client = upstreams.current(decision.service) ?? (await upstreams.get(decision.service));
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
    const noBody = ctx.method === 'HEAD' || res.status === 204 || res.status === 304;
    // A small answer of known length is read whole before the status goes out: one write to the
    // client instead of a stream pipeline per request, and a connection that breaks mid-body is
    // a clean 502 instead of a truncated 200. Larger or unknown-length answers stream.
    const length = noBody ? NaN : Number(res.headers['content-length']);
    let buffered: Buffer | undefined;
    if (cfg.maxBufferedResponseBytes > 0 && length <= cfg.maxBufferedResponseBytes) buffered = await readSmall(res.body, length);
    ctx.status = res.status;
    for (const name in res.headers) {
      const value = res.headers[name];
      if (value === undefined || HOP.has(name) || DROP_RESPONSE.has(name)) continue;
      ctx.set(name, value);
    }
    ctx.set('x-upstream-instance', res.instanceId);
    if (noBody) {
      res.body.resume();
      return;
    }
    ctx.body = buffered ?? res.body;
  };
}

/** Reads a body of `length` bytes (the upstream's content-length); a broken or short body is a 502. */
export function readSmall(body: Readable, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const broken = (cause?: unknown): void =>
      reject(new AppError({ status: 502, code: 'upstream_unavailable', message: 'the upstream connection broke while sending its answer', ...(cause === undefined ? {} : { cause }) }));
    body.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
    });
    body.once('error', broken);
    body.once('end', () => {
      if (size !== length) broken();
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
  });
}
