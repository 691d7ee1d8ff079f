export { createLogger, REDACTED_KEYS } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { LogShipper } from './shipper.js';
export type { LogShipperOptions, PublishLines } from './shipper.js';
export { maskPii, maskPiiDeep, REDACTED } from './redact.js';
export type { MaskOptions } from './redact.js';
export {
  ecsError,
  ECS_VERSION,
  FIELD_DURATION_MS,
  FIELD_ECS_VERSION,
  FIELD_ERROR_CODE,
  FIELD_ERROR_MESSAGE,
  FIELD_ERROR_STACK,
  FIELD_ERROR_TYPE,
  FIELD_EVENT_DURATION,
  FIELD_HOST_NAME,
  FIELD_HTTP_METHOD,
  FIELD_HTTP_ROUTE,
  FIELD_HTTP_STATUS,
  FIELD_LEVEL,
  FIELD_MESSAGE,
  FIELD_PROCESS_PID,
  FIELD_SERVICE_INSTANCE_ID,
  FIELD_SERVICE_NAME,
  FIELD_SPAN_ID,
  FIELD_TIMESTAMP,
  FIELD_TRACE_FLAGS,
  FIELD_TRACE_ID,
  FIELD_URL_PATH,
} from './ecs.js';
