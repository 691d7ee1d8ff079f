export { ProcessedMessages } from './inbox.js';
export { OutboxStore } from './outbox.js';
export type { OutboxEntry, OutboxRow } from './outbox.js';
export { OutboxRelay } from './relay.js';
export type { OutboxRelayOptions } from './relay.js';
export {
  attemptOf,
  declareRetryingQueue,
  DEFAULT_RETRY,
  HEADER_ATTEMPT,
  HEADER_LAST_ERROR,
  HEADER_PARKED_REASON,
  nextHop,
  parkingQueueName,
  retryingHandler,
  retryQueueName,
} from './retry.js';
export type { RetryingHandlerOptions, RetryPolicy } from './retry.js';
export type { SqlDatabase, SqlStatement } from './sql.js';
