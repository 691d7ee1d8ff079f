import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { isTelemetryRegistered } from '../telemetry/index.js';
import { tracedRequestListener } from './server-span.js';

export interface ListenOptions {
  host: string;
  /** 0 takes a free port; the real one is returned. */
  port: number;
  /**
   * Idle keep-alive connections are closed after this long, ms. Node advertises it in the
   * `Keep-Alive: timeout=` header, which undici clients honour (minus their threshold). @default 5000
   */
  keepAliveTimeoutMs?: number;
  /** Time allowed to receive the request headers, ms. @default 10000 */
  headersTimeoutMs?: number;
  /** Time allowed to receive the whole request, ms. @default 30000 */
  requestTimeoutMs?: number;
}

/** Serves `app` on host:port; resolves once listening, with the actual port. */
export function listen(app: Koa, options: ListenOptions): Promise<{ server: Server; port: number }> {
  const server = createServer(isTelemetryRegistered() ? tracedRequestListener(app.callback()) : app.callback());
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port });
    });
  });
}

/**
 * Stops accepting connections and resolves once in-flight requests have finished and their
 * connections are closed. Idle keep-alive connections are closed right away and as they become
 * idle; after `forceAfterMs` the remaining ones are cut.
 */
export function closeServer(server: Server, forceAfterMs = 8_000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const reaper = setInterval(() => server.closeIdleConnections(), 100);
    reaper.unref();
    const force = setTimeout(() => server.closeAllConnections(), forceAfterMs);
    force.unref();
    server.close(() => {
      clearInterval(reaper);
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
