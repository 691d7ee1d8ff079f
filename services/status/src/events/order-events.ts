import { parseEvent } from '@brewops/contracts';
import { declareRetryingQueue, retryingHandler } from '@brewops/platform';
import type { ConsumedMessage, ServiceRuntime } from '@brewops/platform';
import type { StatusRepo } from '../db/status-repo.js';
import { changeOf } from '../handlers/read-model.js';
import type { StatusFeed } from '../handlers/status-feed.js';

export const STATUS_QUEUE = 'status.read-model';
export const STATUS_PATTERNS = ['order.*', 'payment.*', 'coffee.*'] as const;

/** Builds the read model from every saga event; pushes each applied change to the SSE feed. */
export async function consumeOrderEvents(rt: ServiceRuntime, repo: StatusRepo, feed: StatusFeed): Promise<void> {
  const messaging = rt.messaging!;
  await messaging.addTopology(declareRetryingQueue(STATUS_QUEUE, STATUS_PATTERNS));
  const handle = async (msg: ConsumedMessage): Promise<void> => {
    const parsed = parseEvent(msg.body);
    if (!parsed.ok) throw new Error(`invalid event: ${parsed.reason}`);
    const change = changeOf(parsed.event);
    const applied = repo.apply(change);
    if (applied) feed.publish(change);
    rt.logger.info({ orderId: change.orderId, status: change.status, applied, eventType: change.eventType }, 'order status updated');
  };
  await messaging.consume(STATUS_QUEUE, retryingHandler(handle, { messaging, queue: STATUS_QUEUE, logger: rt.logger, registry: rt.metrics.registry }),
    { onError: () => 'requeue', prefetch: 64 });
}
