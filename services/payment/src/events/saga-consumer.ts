import { parseEvent } from '@brewops/contracts';
import { declareRetryingQueue, retryingHandler } from '@brewops/platform';
import type { ConsumedMessage, ServiceRuntime } from '@brewops/platform';
import type { PaymentService } from '../handlers/payment-service.js';

export const PAYMENT_QUEUE = 'payment.saga-events';
/** order.placed starts a charge; coffee.rejected triggers the refund (compensation). */
export const PAYMENT_PATTERNS = ['order.placed', 'coffee.rejected'] as const;

export async function consumeSagaEvents(rt: ServiceRuntime, service: PaymentService): Promise<void> {
  const messaging = rt.messaging!;
  await messaging.addTopology(declareRetryingQueue(PAYMENT_QUEUE, PAYMENT_PATTERNS));
  const handle = async (msg: ConsumedMessage): Promise<void> => {
    const parsed = parseEvent(msg.body);
    if (!parsed.ok) throw new Error(`invalid event: ${parsed.reason}`);
    const outcome = service.apply(parsed.event);
    rt.logger.info({ orderId: parsed.event.payload.orderId, eventType: parsed.event.type, outcome }, 'payment saga event applied');
  };
  await messaging.consume(PAYMENT_QUEUE, retryingHandler(handle, { messaging, queue: PAYMENT_QUEUE, logger: rt.logger, registry: rt.metrics.registry }),
    { onError: () => 'requeue', prefetch: 64, transaction: service.transaction });
}
