export { startService } from './start-service.js';
export { requestBody } from './request-body.js';
export { declareEventQueue, declareEventsExchange, declareLogTopology } from './topology.js';
export type { ServiceRuntime, ServiceSpec } from './types.js';
