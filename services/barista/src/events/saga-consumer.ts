import { parseEvent } from '@brewops/contracts';
import { declareRetryingQueue, retryingHandler } from '@brewops/platform';
import type { ConsumedMessage, ServiceRuntime } from '@brewops/platform';
import type { BaristaService } from '../handlers/barista-service.js';

export const BARISTA_QUEUE = 'barista.saga-events';
export const BARISTA_PATTERNS = ['payment.succeeded'] as const;

export async function consumeSagaEvents(rt: ServiceRuntime, service: BaristaService): Promise<void> {
  const messaging = rt.messaging!;
  await messaging.addTopology(declareRetryingQueue(BARISTA_QUEUE, BARISTA_PATTERNS));
  const handle = async (msg: ConsumedMessage): Promise<void> => {
    const parsed = parseEvent(msg.body);
    if (!parsed.ok) throw new Error(`invalid event: ${parsed.reason}`);
    const outcome = await service.apply(parsed.event);
    rt.logger.info({ orderId: parsed.event.payload.orderId, eventType: parsed.event.type, outcome }, 'barista saga event applied');
  };
  await messaging.consume(BARISTA_QUEUE, retryingHandler(handle, { messaging, queue: BARISTA_QUEUE, logger: rt.logger, registry: rt.metrics.registry }),
    { onError: () => 'requeue', prefetch: 64, transaction: service.transaction });
}
