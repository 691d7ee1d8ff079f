import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import { notFound, type ServiceRuntime } from '@brewops/platform';
import { ApiKeyFile } from './auth/api-key-file.js';
import { ApiKeyStore } from './auth/api-keys.js';
import { JwtVerifier } from './auth/jwt.js';
import type { GatewayConfig } from './config.js';
import { RateLimiter } from './handlers/rate-limiter.js';
import { authMiddleware } from './middleware/auth.js';
import { corsMiddleware } from './middleware/cors.js';
import { limitsMiddleware } from './middleware/limits.js';
import { rateLimitMiddleware } from './middleware/rate-limit.js';
import { proxyMiddleware } from './routes/proxy.js';
import { Upstreams } from './upstreams.js';

/** Name of the platform's JSON body parser in the app's middleware list (see createApp). */
const BODY_PARSER = 'jsonBody';

/**
 * The edge pipeline for `/api/**`: CORS → limits → auth → rate limit → streaming proxy. It is
 * placed in the platform app right after errors, correlation ID, request log and RED metrics,
 * and before the JSON body parser, so request bodies stream through unparsed. Every other path
 * is a JSON 404 here: the gateway's own /health/* and /metrics are served on its admin listener
 * (`GATEWAY_ADMIN_PORT`, see main.ts), never on the public port. Rate limits and upstream call
 * policies follow the live config; API keys follow the keys file.
 */
export function installEdge(rt: ServiceRuntime, cfg: GatewayConfig): void {
  const keys = cfg.apiKeysFile === undefined ? new ApiKeyStore([]) : new ApiKeyFile(cfg.apiKeysFile, { logger: rt.logger, pollMs: cfg.apiKeysPollMs });
  if (keys instanceof ApiKeyFile) rt.lifecycle.onShutdown('api-keys', async () => keys.close(), 'deregister');
  const jwt = new JwtVerifier({ hs256Secret: cfg.jwtHs256Secret, jwksUrl: cfg.jwtJwksUrl, issuer: cfg.jwtIssuer, audience: cfg.jwtAudience });
  const api = chain([
    corsMiddleware(cfg.corsOrigins),
    limitsMiddleware(cfg),
    authMiddleware({ required: cfg.auth === 'on', keys, jwt, publicRoutes: new Set(cfg.publicRoutes) }),
    rateLimitMiddleware(
      new RateLimiter(),
      { key: { perSecond: cfg.keyRatePerSecond, burst: cfg.keyRateBurst }, anonymous: { perSecond: cfg.anonRatePerSecond, burst: cfg.anonRateBurst } },
      () => rt.config.current.rateLimits,
    ),
    proxyMiddleware(cfg, new Upstreams(rt, cfg)),
  ]);
  let serverHooked = false;
  const edge: Koa.Middleware = function gatewayEdge(ctx, next) {
    if (!serverHooked) {
      serverHooked = true;
      const server = (ctx.req.socket as Socket & { server?: Server }).server;
      if (server) jsonClientErrors(server);
    }
    if (ctx.path === '/api' || ctx.path.startsWith('/api/')) return api(ctx, next);
    // nothing else reaches the platform chain (or its body parser); /health/* and /metrics
    // included: they are answered on the admin listener only
    throw notFound('not_found', 'not found');
  };
  const stack = rt.app.middleware as Koa.Middleware[];
  const at = stack.findIndex((m) => m.name === BODY_PARSER);
  if (at === -1) throw new Error(`gateway: the platform app has no "${BODY_PARSER}" middleware to insert the edge before`);
  stack.splice(at, 0, edge);
  rt.logger.info({ auth: cfg.auth, apiKeys: keys.size, jwt: jwt.enabled, services: cfg.services }, 'gateway edge installed');
}

/**
 * Runs middleware in order, each `next` leading to the following one (koa-compose, minus its
 * checks). The edge's own middleware are synchronous or return their promise, so a step is one
 * call, no extra promise wrapping per step.
 */
function chain(list: readonly Koa.Middleware[]): Koa.Middleware {
  return (ctx, next) => {
    const step = (i: number): unknown => (i === list.length ? next() : list[i]!(ctx, () => step(i + 1) as Promise<unknown>));
    return step(0) as Promise<unknown>;
  };
}

/**
 * Requests Node's HTTP parser rejects (bad method token, malformed head, oversized headers)
 * never reach Koa; answer them with the same JSON error shape instead of a bare status line.
 */
function jsonClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // as Node's default handler: answer unless a response has already started
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent === true) {
      socket.destroy();
      return;
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') rawJson(socket, 431, 'Request Header Fields Too Large', 'headers_too_large');
    else rawJson(socket, 400, 'Bad Request', 'bad_request');
  });
  // CONNECT never reaches Koa; without a listener Node would just drop the socket
  server.on('connect', (_req, socket: Socket) => rawJson(socket, 405, 'Method Not Allowed', 'method_not_allowed'));
}

function rawJson(socket: Socket, status: number, reason: string, code: string): void {
  const body = JSON.stringify({ error: { code, message: reason } });
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
