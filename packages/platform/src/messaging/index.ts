export { Messaging } from './messaging.js';
export { MessagingError, isMessagingError } from './errors.js';
export type { MessagingErrorCode } from './errors.js';
export type { HandleOutcome, PublishOutcome } from './metrics.js';
export type {
  ConsumeOptions,
  ConsumedMessage,
  ConsumerHandle,
  FailureAction,
  FailurePolicy,
  LoggerLike,
  MessageHandler,
  MessagingEvents,
  MessagingOptions,
  MetricsRegistryLike,
  OutgoingMessage,
  PublishOptions,
  TopologyDeclaration,
} from './types.js';
