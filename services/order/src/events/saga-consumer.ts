import { parseEvent } from '@brewops/contracts';
import { declareRetryingQueue, retryingHandler } from '@brewops/platform';
import type { ConsumedMessage, RetryPolicy, ServiceRuntime } from '@brewops/platform';
import type { OrderService } from '../handlers/order-service.js';

export const ORDER_SAGA_QUEUE = 'order.saga-events';
/** The events that finish an order (complete it, or cancel it as a compensation). */
export const ORDER_SAGA_PATTERNS = ['payment.failed', 'coffee.ready', 'coffee.rejected'] as const;

/** Consumes the saga's outcome events, validated and applied at most once; failures retry, then park. */
export async function consumeSagaEvents(rt: ServiceRuntime, service: OrderService, queue = ORDER_SAGA_QUEUE, policy?: RetryPolicy): Promise<void> {
  const messaging = rt.messaging!;
  await messaging.addTopology(declareRetryingQueue(queue, ORDER_SAGA_PATTERNS, policy));
  const handle = async (msg: ConsumedMessage): Promise<void> => {
    const parsed = parseEvent(msg.body);
    if (!parsed.ok) throw new Error(`invalid event: ${parsed.reason}`);
    const result = service.apply(parsed.event);
    const orderId = parsed.event.payload.orderId;
    if (result.kind === 'unknown_order') throw new Error(`no order ${orderId} (yet)`);
    rt.logger.info({ orderId, eventType: parsed.event.type, outcome: result.kind }, 'order saga event applied');
  };
  await messaging.consume(queue, retryingHandler(handle, {
    messaging,
    queue,
    logger: rt.logger,
    registry: rt.metrics.registry,
    ...(policy ? { policy } : {}),
  }), { onError: () => 'requeue', prefetch: 64, transaction: service.transaction });
}
