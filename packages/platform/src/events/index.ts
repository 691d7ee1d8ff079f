export { isEventEnvelope, makeEvent } from './envelope.js';
export type { EventEnvelope } from './envelope.js';
