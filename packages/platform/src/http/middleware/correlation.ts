import { trace } from '@opentelemetry/api';
import type Koa from 'koa';
import { currentCorrelationId, isValidCorrelationId, newCorrelationId, withCorrelationId } from '../../correlation.js';
import type { Logger } from '../../log/logger.js';
import { ATTR_CORRELATION_ID, HEADER_CORRELATION_ID } from '../../semconv.js';

/**
 * Takes the correlation ID from `x-correlation-id` if it is valid, else from the incoming
 * baggage (set by the calling service), else makes a new one. The ID is put in the baggage for
 * the rest of the request (outgoing HTTP and AMQP calls carry it), on the server span as
 * `brewops.correlation_id`, in `ctx.state.correlationId`, and echoed in the response header.
 * A rejected header value is never logged, only its length.
 */
export function correlationMiddleware(logger: Logger): Koa.Middleware {
  return function correlation(ctx, next) {
    const incoming = ctx.get(HEADER_CORRELATION_ID);
    const valid = isValidCorrelationId(incoming);
    const id = valid ? incoming : (currentCorrelationId() ?? newCorrelationId());
    ctx.state['correlationId'] = id;
    ctx.set(HEADER_CORRELATION_ID, id);
    trace.getActiveSpan()?.setAttribute(ATTR_CORRELATION_ID, id);
    return withCorrelationId(id, () => {
      if (!valid && incoming !== '') {
        logger.info({ 'correlation.rejected_length': incoming.length }, `invalid ${HEADER_CORRELATION_ID} replaced`);
      }
      return next();
    });
  };
}
