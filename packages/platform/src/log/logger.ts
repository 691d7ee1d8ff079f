import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import { currentCorrelationId } from '../correlation.js';
import { LOG_CORRELATION_ID } from '../semconv.js';
import {
  ECS_VERSION,
  FIELD_ECS_VERSION,
  FIELD_HOST_NAME,
  FIELD_LEVEL,
  FIELD_MESSAGE,
  FIELD_PROCESS_PID,
  FIELD_SERVICE_INSTANCE_ID,
  FIELD_SERVICE_NAME,
  FIELD_SPAN_ID,
  FIELD_TIMESTAMP,
  FIELD_TRACE_FLAGS,
  FIELD_TRACE_ID,
  ecsError,
} from './ecs.js';
import { maskPii, maskPiiDeep } from './redact.js';
import type { LogShipper } from './shipper.js';

export type Logger = pino.Logger;

export interface LoggerOptions {
  /** `service.name` on every line. */
  service: string;
  /** `service.instance.id` on every line. */
  instanceId: string;
  /** Lowest level written. @default 'info' */
  level?: string;
  /** Where lines go instead of stdout (tests capture output here). @default stdout, asynchronous (lines that arrive while a write is under way go out together), flushed synchronously on exit */
  destination?: pino.DestinationStream;
  /** Also ship every line through this shipper (to the log exchange). */
  shipper?: LogShipper;
}

/** Keys whose values never leave the process, at any depth, compared case-insensitively. */
export const REDACTED_KEYS: readonly string[] = [
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'client_secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'x-api-key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'cardNumber',
  'card_number',
  'pan',
  'cvv',
  'cvc',
  'email',
];

const MASK_OPTIONS = { redactKeys: new Set(REDACTED_KEYS.map((k) => k.toLowerCase())) };

/**
 * Key redaction and value masking in one copy-on-write walk. Used instead of pino's `redact`:
 * wildcard paths for every key at every depth made each log call an order of magnitude slower.
 */
function sanitize<T>(value: T): T {
  return maskPiiDeep(value, MASK_OPTIONS);
}

/** Trace context of the active span and the correlation ID of the active baggage. */
function correlationFields(): Record<string, string> {
  const out: Record<string, string> = {};
  const span = trace.getActiveSpan();
  if (span) {
    const sc = span.spanContext();
    if (isSpanContextValid(sc)) {
      // Same keys and format as instrumentation-pino's `logKeys` (see telemetry/sdk.ts):
      // when both inject, the keys coincide and each appears once.
      out[FIELD_TRACE_ID] = sc.traceId;
      out[FIELD_SPAN_ID] = sc.spanId;
      out[FIELD_TRACE_FLAGS] = `0${sc.traceFlags.toString(16)}`;
    }
  }
  const correlationId = currentCorrelationId();
  if (correlationId !== undefined) out[LOG_CORRELATION_ID] = correlationId;
  return out;
}

/**
 * Top-level names that are ECS objects in the search backend's mapping (every line carries
 * `service.name`, `host.hostname`, `event.duration`, …). A plain value under one of them, e.g.
 * `{ service: 'member' }` or `{ host: '127.0.0.1' }`, cannot be indexed next to those objects: the
 * whole line would be refused as a mapping conflict and land in the dead-letter index. Such
 * values are moved to `labels.<name>` (ECS's place for custom keywords); a string `error`
 * becomes `error.message`.
 */
const ECS_OBJECT_ROOTS = ['service', 'host', 'event', 'trace', 'span', 'log', 'correlation', 'process', 'http', 'url', 'ecs', 'server', 'client', 'user', 'labels'] as const;

function moveScalarsOffEcsObjects(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  for (const key of ECS_OBJECT_ROOTS) {
    const v = obj[key];
    if (v === undefined || (v !== null && typeof v === 'object')) continue;
    if (out === obj) out = { ...obj };
    delete out[key];
    out[`labels.${key}`] = v;
  }
  const e = obj['error'];
  if (e !== undefined && (e === null || typeof e !== 'object')) {
    if (out === obj) out = { ...obj };
    delete out['error'];
    out['error.message'] = e;
  }
  return out;
}

/**
 * ECS error fields in place of `err` (pino's error key) or an Error under `error`; plain values
 * moved off ECS object names (see ECS_OBJECT_ROOTS); then PII masking.
 */
function formatLogObject(obj: Record<string, unknown>): Record<string, unknown> {
  let out = obj;
  const err = obj['err'] ?? (obj['error'] instanceof Error ? obj['error'] : undefined);
  if (err !== undefined && err !== null && typeof err === 'object') {
    out = { ...obj };
    delete out['err'];
    if (out['error'] === err) delete out['error'];
    Object.assign(out, ecsError(err));
  }
  return sanitize(moveScalarsOffEcsObjects(out));
}

let stampSecond = NaN;
let stampPrefix = '';

/**
 * pino's `timestamp`: `,"@timestamp":"<ISO 8601, ms>"`. The part up to the seconds is formatted
 * once per second (a Date and toISOString per line were a measurable share of a log call).
 */
function isoTimestamp(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    stampSecond = second;
    stampPrefix = `,"${FIELD_TIMESTAMP}":"${new Date(second * 1000).toISOString().slice(0, 20)}`; // up to "ss."
  }
  const ms = now - second * 1000;
  return `${stampPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

function maskMessage(msg: unknown): unknown {
  return typeof msg === 'string' ? maskPii(msg) : msg;
}

/**
 * A pino logger writing ECS JSON lines: `@timestamp`, `log.level`, `message`, `service.name`,
 * `service.instance.id`, `ecs.version`, `trace.id`/`span.id`/`trace.flags` of the active span,
 * and `correlation.id` of the active baggage. Secrets are removed by key (`[REDACTED]`, at any
 * depth, see REDACTED_KEYS), and card numbers, e-mails, bearer tokens and JWTs are masked in the
 * message, every string field and child bindings, before the line is written anywhere. Lines go
 * to stdout and, with a shipper, also to the log exchange. Stdout is written asynchronously: a
 * line goes out at once when no write is under way, and lines that arrive meanwhile go out
 * together in the next write (one write(2) a line cost the gateway ~10 % of its CPU at
 * saturation). pino flushes what is left synchronously when the process exits.
 */
export function createLogger(options: LoggerOptions): Logger {
  const primary = options.destination ?? pino.destination({ fd: 1, sync: false });
  const stream = options.shipper
    ? pino.multistream(
        [
          // Level filtering is the logger's job; the streams take whatever it writes.
          { level: 'trace', stream: primary },
          { level: 'trace', stream: options.shipper },
        ],
        { dedupe: false },
      )
    : primary;

  const logger = pino(
    {
      level: options.level ?? 'info',
      messageKey: FIELD_MESSAGE,
      base: {
        [FIELD_SERVICE_NAME]: options.service,
        [FIELD_SERVICE_INSTANCE_ID]: options.instanceId,
        [FIELD_ECS_VERSION]: ECS_VERSION,
        [FIELD_PROCESS_PID]: process.pid,
        [FIELD_HOST_NAME]: hostname(),
      },
      timestamp: isoTimestamp,
      formatters: {
        level: (label) => ({ [FIELD_LEVEL]: label }),
        bindings: sanitize,
        log: formatLogObject,
      },
      serializers: { [FIELD_MESSAGE]: maskMessage },
      mixin: correlationFields,
    },
    stream,
  );
  // pino applies `formatters.bindings` to the base bindings only; child bindings are masked
  // here, once per child (grandchildren inherit this method through the prototype chain).
  const pinoChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return pinoChild.call(this, sanitize(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
