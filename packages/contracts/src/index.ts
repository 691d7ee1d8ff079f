// The whole public surface of @brewops/contracts: every domain event's schema and type.
export { EnvelopeSchema, Id } from './envelope.js';
export type { Envelope } from './envelope.js';
export {
  CancelReason,
  CoffeeReady,
  CoffeeRejected,
  EVENTS,
  isEventType,
  OrderCancelled,
  OrderCompleted,
  OrderLine,
  OrderPlaced,
  PaymentFailed,
  PaymentRefunded,
  PaymentSucceeded,
} from './events.js';
export type { EventType, PayloadOf } from './events.js';
export { ContractError, createEvent, isContractError, parseEvent } from './codec.js';
export type { AnyDomainEvent, CreateEventOptions, DomainEvent, ParseResult } from './codec.js';
