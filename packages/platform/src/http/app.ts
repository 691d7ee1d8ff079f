import Router from '@koa/router';
import Koa from 'koa';
import { ensureContextManager } from '../correlation.js';
import type { Logger } from '../log/logger.js';
import { metricsHandler, metricsMiddleware } from '../metrics/middleware.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Readiness } from './health.js';
import { jsonBodyMiddleware } from './middleware/body.js';
import { correlationMiddleware } from './middleware/correlation.js';
import { errorMiddleware } from './middleware/error.js';
import { requestLogMiddleware } from './middleware/request-log.js';

export interface AppOptions {
  /** Service name (the logger and metrics already carry it; kept for symmetry with the runtime env). */
  service: string;
  /** Instance ID (idem). */
  instanceId: string;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** Largest accepted JSON body (bytes string as in `raw-body`). @default '1mb' */
  bodyLimit?: string;
  /**
   * Runs after the body parser and before the platform routes, so it sees `/health/ready` too
   * (startService puts fault injection here; it exempts `/health/live` and `/metrics` itself). @default none
   */
  beforeRoutes?: Koa.Middleware;
}

/** Router with the platform endpoints: `GET /health/live`, `GET /health/ready`, `GET /metrics`. */
export function platformRouter(metrics: Metrics, readiness: Readiness): Router {
  const router = new Router();
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const report = await readiness.report();
    ctx.status = report.ready ? 200 : 503;
    ctx.body = { status: report.status, checks: report.checks };
  });
  router.get('/metrics', metricsHandler(metrics));
  return router;
}

/**
 * A Koa app with the platform middleware, in this order: errors → correlation ID → request log
 * → RED metrics → JSON body parser → `beforeRoutes` (fault injection) → health and metrics routes. Services add their routers with
 * `app.use(router.routes())`; unmatched requests still get a JSON 404 (see errorMiddleware).
 * `ctx.state.correlationId` holds the request's correlation ID.
 */
export function createApp(options: AppOptions): Koa {
  ensureContextManager();
  const { logger, metrics, readiness } = options;
  const app = new Koa();
  // Errors outside the middleware chain (e.g. a socket that failed mid-response) reach Koa's
  // 'error' event; log them as JSON instead of Koa's default stderr dump.
  app.on('error', (err: unknown) => {
    logger.warn({ err }, 'http server error outside a request handler');
  });
  app.use(errorMiddleware(logger));
  app.use(correlationMiddleware(logger));
  app.use(requestLogMiddleware(logger));
  app.use(metricsMiddleware(metrics));
  app.use(jsonBodyMiddleware(options.bodyLimit ?? '1mb'));
  if (options.beforeRoutes) app.use(options.beforeRoutes);
  app.use(platformRouter(metrics, readiness).routes());
  return app;
}
