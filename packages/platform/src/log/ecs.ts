/**
 * ECS (Elastic Common Schema) field names written by the logger. Flat dotted keys: Elasticsearch
 * maps `a.b` exactly like `{ "a": { "b": ... } }`, and flat keys keep pino's serializers simple.
 */
export const ECS_VERSION = '8.11.0';

export const FIELD_TIMESTAMP = '@timestamp';
export const FIELD_LEVEL = 'log.level';
export const FIELD_MESSAGE = 'message';
export const FIELD_SERVICE_NAME = 'service.name';
export const FIELD_SERVICE_INSTANCE_ID = 'service.instance.id';
export const FIELD_ECS_VERSION = 'ecs.version';
export const FIELD_PROCESS_PID = 'process.pid';
export const FIELD_HOST_NAME = 'host.hostname';
export const FIELD_TRACE_ID = 'trace.id';
export const FIELD_SPAN_ID = 'span.id';
export const FIELD_TRACE_FLAGS = 'trace.flags';
export const FIELD_ERROR_TYPE = 'error.type';
export const FIELD_ERROR_MESSAGE = 'error.message';
export const FIELD_ERROR_STACK = 'error.stack_trace';
export const FIELD_ERROR_CODE = 'error.code';

// --- request log line (http/) ---
export const FIELD_HTTP_METHOD = 'http.request.method';
export const FIELD_HTTP_ROUTE = 'http.route';
export const FIELD_HTTP_STATUS = 'http.response.status_code';
export const FIELD_URL_PATH = 'url.path';
/** ECS `event.duration`: nanoseconds. */
export const FIELD_EVENT_DURATION = 'event.duration';
/** Same duration in milliseconds, for humans and simple queries. */
export const FIELD_DURATION_MS = 'duration_ms';

const MAX_CAUSES = 5;

function isErrorLike(e: unknown): e is Error {
  if (e instanceof Error) return true;
  if (typeof e !== 'object' || e === null) return false;
  return typeof (e as Error).message === 'string' && typeof (e as Error).stack === 'string';
}

/** `error.type`, `error.message`, `error.stack_trace` (with `Caused by:` chain) of an error. */
export function ecsError(err: unknown): Record<string, string> {
  if (!isErrorLike(err)) return { [FIELD_ERROR_MESSAGE]: String(err) };
  let stack = err.stack ?? `${err.name}: ${err.message}`;
  let cause: unknown = err.cause;
  for (let i = 0; i < MAX_CAUSES && isErrorLike(cause); i++) {
    stack += `\nCaused by: ${cause.stack ?? `${cause.name}: ${cause.message}`}`;
    cause = cause.cause;
  }
  const out: Record<string, string> = {
    [FIELD_ERROR_TYPE]: err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name,
    [FIELD_ERROR_MESSAGE]: err.message,
    [FIELD_ERROR_STACK]: stack,
  };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out[FIELD_ERROR_CODE] = String(code);
  return out;
}
