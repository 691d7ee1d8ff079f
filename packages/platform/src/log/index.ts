export { createLogger, REDACTED_KEYS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { LogShipper } from './shipper.js';
export type { LogShipperOptions, PublishLines } from './shipper.js';
export { maskPii, maskPiiDeep, REDACTED } from './redact.js';
export { ecsError, ECS_VERSION } from './ecs.js';
