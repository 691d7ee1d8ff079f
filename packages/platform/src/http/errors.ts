import { STATUS_CODES } from 'node:http';

const APP_ERROR = Symbol.for('brewops.AppError');

export interface AppErrorOptions {
  /** HTTP status, 4xx or 5xx. */
  status: number;
  /** Stable machine-readable code, snake_case (`member_not_found`). Clients switch on it. */
  code: string;
  /** Human-readable message; sent to the client only when `expose`. */
  message: string;
  /** Whether `message` and `details` may be sent to the client. @default status < 500 */
  expose?: boolean;
  /** Structured, client-safe detail (e.g. validation issues). */
  details?: unknown;
  /** The underlying error; logged, never sent. */
  cause?: unknown;
  /** Extra response headers (e.g. `retry-after`, `allow`). */
  headers?: Record<string, string>;
}

/**
 * An error with an HTTP meaning. The error middleware maps it to
 * `{ "error": { "code", "message", "details"?, "correlationId" } }` with its status.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly expose: boolean;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(options: AppErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = options.status;
    this.code = options.code;
    this.expose = options.expose ?? options.status < 500;
    if (options.details !== undefined) this.details = options.details;
    if (options.headers !== undefined) this.headers = options.headers;
    Object.defineProperty(this, APP_ERROR, { value: true });
  }
}

/** True for an AppError, also one created by another copy of this package (brand, not instanceof). */
export function isAppError(e: unknown): e is AppError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[APP_ERROR] === true;
}

function make(status: number) {
  return (code: string, message: string, details?: unknown): AppError =>
    new AppError(details === undefined ? { status, code, message } : { status, code, message, details });
}

/** 400 */
export const badRequest = make(400);
/** 401 */
export const unauthorized = make(401);
/** 403 */
export const forbidden = make(403);
/** 404 */
export const notFound = make(404);
/** 409 */
export const conflict = make(409);
/** 422 */
export const unprocessable = make(422);
/** 429 */
export const tooManyRequests = make(429);
/** 503 */
export const serviceUnavailable = make(503);

/** Codes for statuses raised by Koa, the router and the body parser (http-errors). */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  411: 'length_required',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  501: 'not_implemented',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

interface HttpErrorLike {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  message?: unknown;
  headers?: unknown;
}

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
  code?: string;
}

function zodIssues(err: unknown): ZodLikeIssue[] | undefined {
  if (typeof err !== 'object' || err === null || (err as { name?: unknown }).name !== 'ZodError') return undefined;
  const issues = (err as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as ZodLikeIssue[]) : undefined;
}

function stringHeaders(h: unknown): Record<string, string> | undefined {
  if (typeof h !== 'object' || h === null) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string') out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Maps anything thrown to an AppError: AppErrors as they are; body-parser errors to
 * `invalid_json` (400), `payload_too_large` (413), `unsupported_media_type` (415); zod errors
 * to `validation_failed` (400); other http-errors by status; everything else to
 * `internal_error` (500) with a generic message. The original is kept as `cause`.
 */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;

  const issues = zodIssues(err);
  if (issues) {
    return new AppError({
      status: 400,
      code: 'validation_failed',
      message: 'Request validation failed',
      details: issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message, code: i.code })),
      cause: err,
    });
  }

  const e = (typeof err === 'object' && err !== null ? err : {}) as HttpErrorLike;
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 0;
  if (status >= 400 && status <= 599) {
    if (err instanceof SyntaxError && status === 400) {
      return new AppError({ status: 400, code: 'invalid_json', message: 'Request body is not valid JSON', cause: err });
    }
    if (e.type === 'entity.too.large' || status === 413) {
      return new AppError({ status: 413, code: 'payload_too_large', message: 'Request body is too large', cause: err });
    }
    if (e.type === 'encoding.unsupported' || status === 415) {
      return new AppError({ status: 415, code: 'unsupported_media_type', message: 'Unsupported request body encoding or type', cause: err });
    }
    if (e.type === 'request.aborted') {
      return new AppError({ status: 400, code: 'request_aborted', message: 'Request aborted', cause: err });
    }
    const expose = status < 500 && e.expose === true && typeof e.message === 'string' && e.message !== '';
    const headers = stringHeaders(e.headers);
    return new AppError({
      status,
      code: CODE_BY_STATUS[status] ?? (status < 500 ? 'bad_request' : 'internal_error'),
      message: expose ? (e.message as string) : (STATUS_CODES[status] ?? 'Error'),
      expose: status < 500,
      cause: err,
      ...(headers ? { headers } : {}),
    });
  }

  return new AppError({ status: 500, code: 'internal_error', message: 'Internal Server Error', expose: false, cause: err });
}

/** Client-facing error body. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; correlationId?: string };
}

/** The JSON body for an AppError; nothing but code and a generic message when not `expose`. */
export function errorBody(err: AppError, correlationId: string | undefined): ErrorBody {
  const body: ErrorBody['error'] = {
    code: err.code,
    message: err.expose ? err.message : (STATUS_CODES[err.status] ?? 'Error'),
  };
  if (err.expose && err.details !== undefined) body.details = err.details;
  if (correlationId !== undefined) body.correlationId = correlationId;
  return { error: body };
}
