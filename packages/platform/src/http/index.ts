export { createApp, platformRouter } from './app.js';
export type { AppOptions } from './app.js';
export {
  AppError,
  badRequest,
  conflict,
  errorBody,
  forbidden,
  isAppError,
  notFound,
  serviceUnavailable,
  toAppError,
  tooManyRequests,
  unauthorized,
  unprocessable,
} from './errors.js';
export type { AppErrorOptions, ErrorBody } from './errors.js';
export { Readiness } from './health.js';
export type { CheckResult, ReadinessOptions, ReadinessReport, ReadinessStatus } from './health.js';
export { closeServer, listen } from './server.js';
export type { ListenOptions } from './server.js';
export { Lifecycle, SHUTDOWN_PHASES } from './lifecycle.js';
export type { LifecycleOptions, ShutdownPhase } from './lifecycle.js';
export { errorMiddleware } from './middleware/error.js';
export { correlationMiddleware } from './middleware/correlation.js';
export { requestLogMiddleware } from './middleware/request-log.js';
export { jsonBodyMiddleware } from './middleware/body.js';
