import { isEventEnvelope, semconv } from '@brewops/platform';
import type { ConsumedMessage, ServiceRuntime } from '@brewops/platform';
import type { StatusReadModel } from '../handlers/read-model.js';

export const STATUS_QUEUE = 'status.order-events';

/** Maps an order event to the status it moves the order to. */
const STATUS_BY_TYPE: Record<string, string> = {
  'order.placed': 'placed',
};

export async function consumeOrderEvents(rt: ServiceRuntime, model: StatusReadModel): Promise<void> {
  const messaging = rt.messaging!;
  await messaging.addTopology(async (ch) => {
    await ch.assertExchange(semconv.EXCHANGE_EVENTS, 'topic', { durable: true });
    await ch.assertQueue(STATUS_QUEUE, { durable: true });
    await ch.bindQueue(STATUS_QUEUE, semconv.EXCHANGE_EVENTS, 'order.*');
  });
  await messaging.consume(STATUS_QUEUE, async (msg: ConsumedMessage) => {
    if (!isEventEnvelope(msg.body)) {
      rt.logger.warn({ messageId: msg.messageId, routingKey: msg.routingKey }, 'not an event envelope; rejected');
      throw new Error('malformed event envelope');
    }
    const event = msg.body;
    const status = STATUS_BY_TYPE[event.type];
    const orderId = (event.payload as { orderId?: unknown }).orderId;
    if (!status || typeof orderId !== 'string') {
      rt.logger.debug({ type: event.type }, 'event ignored by the status read model');
      return;
    }
    const applied = model.apply(orderId, status, event.occurredAt, event.messageId);
    rt.logger.info({ orderId, status, applied, eventType: event.type }, 'order status updated');
  });
}
