import { SpanStatusCode, trace } from '@opentelemetry/api';
import type Koa from 'koa';
import type { Logger } from '../../log/logger.js';
import { maskPii } from '../../log/redact.js';
import { LOG_CORRELATION_ID } from '../../semconv.js';
import { AppError, errorBody, isAppError, toAppError } from '../errors.js';

function correlationIdOf(ctx: Koa.Context): string | undefined {
  const id: unknown = ctx.state['correlationId'];
  return typeof id === 'string' ? id : undefined;
}

function respond(ctx: Koa.Context, err: AppError): void {
  ctx.status = err.status;
  if (err.headers) ctx.set(err.headers);
  ctx.body = errorBody(err, correlationIdOf(ctx));
}

/** Records a server-side failure on the active (server) span, with PII masked like the logs. */
function recordOnSpan(err: unknown): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException({ name: e.name, message: maskPii(e.message), ...(e.stack ? { stack: maskPii(e.stack) } : {}) });
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * First middleware. Maps thrown errors to `{ error: { code, message, details?, correlationId } }`
 * (see toAppError); unknown errors become a generic 500 and are logged with their stack, nothing
 * internal is sent. A response left without a body and with an error status (no route matched:
 * 404; router.allowedMethods: 405/501) gets the same JSON shape, also for routers mounted after
 * createApp.
 */
export function errorMiddleware(logger: Logger): Koa.Middleware {
  return async function errorHandler(ctx, next) {
    try {
      await next();
      if (ctx.status >= 400 && ctx.body == null) {
        respond(ctx, toAppError({ status: ctx.status, expose: false }));
      }
    } catch (thrown) {
      const err = toAppError(thrown);
      if (err.status >= 500) {
        recordOnSpan(thrown);
        // The correlation context has ended at this point; the ID is added explicitly.
        const fields = { err: thrown, [LOG_CORRELATION_ID]: correlationIdOf(ctx) };
        if (isAppError(thrown)) logger.warn(fields, `request failed: ${err.code}`);
        else logger.error(fields, 'unhandled error in request');
      }
      if (ctx.headerSent || !ctx.writable) return;
      respond(ctx, err);
    }
  };
}
