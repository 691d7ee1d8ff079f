import type Koa from 'koa';
import {
  FIELD_DURATION_MS,
  FIELD_ERROR_CODE,
  FIELD_EVENT_DURATION,
  FIELD_HTTP_METHOD,
  FIELD_HTTP_ROUTE,
  FIELD_HTTP_STATUS,
  FIELD_URL_PATH,
} from '../../log/ecs.js';
import type { Logger } from '../../log/logger.js';
import { routeTemplate, UNMATCHED_ROUTE } from '../../metrics/route.js';
import { setServerRoute } from '../server-span.js';
import { toAppError, type AppError } from '../errors.js';

/** Routes logged at debug: probes and scrapes every few seconds would drown the real traffic. */
const QUIET_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * One line per request: method, route template, status, duration (`event.duration` in ns,
 * `duration_ms`), path, and the error code when it failed. 5xx at warn, the rest at info,
 * health and metrics at debug.
 */
export function requestLogMiddleware(logger: Logger): Koa.Middleware {
  return async function requestLog(ctx, next) {
    const start = process.hrtime.bigint();
    let failure: AppError | undefined;
    try {
      await next();
    } catch (err) {
      failure = toAppError(err);
      throw err;
    } finally {
      const route = routeTemplate(ctx);
      if (route !== UNMATCHED_ROUTE) setServerRoute(route); // names the server span
      const status = failure?.status ?? ctx.status;
      const level = QUIET_ROUTES.has(route) ? 'debug' : status >= 500 ? 'warn' : 'info';
      if (logger.isLevelEnabled(level)) {
        const ns = Number(process.hrtime.bigint() - start);
        const fields: Record<string, unknown> = {
          [FIELD_HTTP_METHOD]: ctx.method,
          [FIELD_HTTP_ROUTE]: route,
          [FIELD_HTTP_STATUS]: status,
          [FIELD_URL_PATH]: ctx.path,
          [FIELD_EVENT_DURATION]: ns,
          [FIELD_DURATION_MS]: Math.round(ns / 1e3) / 1e3,
        };
        if (failure) fields[FIELD_ERROR_CODE] = failure.code;
        logger[level](fields, `${ctx.method} ${route} ${status}`);
      }
    }
  };
}
