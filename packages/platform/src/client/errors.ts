import { IsolatedCircuitError, isBrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { AppError } from '../http/errors.js';

/**
 * Why one attempt on one instance failed without an HTTP answer.
 * - `connect`: the connection was refused or could not be made: the request never left, safe to retry.
 * - `breaker_open`: the instance's breaker refused the call: never left, safe to retry.
 * - `reset`: the connection broke after the request was (maybe) sent.
 * - `timeout`: no response headers within the timeout.
 * - `invalid_request`: the HTTP client refused the request itself (e.g. a header it cannot send);
 *   says nothing about the instance, so it never counts against its health and is not retried.
 */
export type UpstreamFailureCode = 'connect' | 'breaker_open' | 'reset' | 'timeout' | 'invalid_request';

const brand = Symbol.for('brewops.UpstreamFailure');

export class UpstreamFailure extends Error {
  readonly [brand] = true;
  override readonly name = 'UpstreamFailure';

  constructor(
    readonly code: UpstreamFailureCode,
    readonly instanceId: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${code} on ${instanceId}`, options.cause === undefined ? undefined : { cause: options.cause });
  }

  /** The request certainly did not reach a handler. */
  get neverSent(): boolean {
    return this.code === 'connect' || this.code === 'breaker_open';
  }
}

export function isUpstreamFailure(e: unknown): e is UpstreamFailure {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}

/** cockatiel's timeout error (its own `isTaskCancelledError`/`isIsolatedCircuitError` guards check the wrong property in 3.2.1). */
export const isTimeoutError = (e: unknown): boolean => e instanceof TaskCancelledError;

const CONNECT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'EADDRNOTAVAIL']);

/** Classifies an undici/transport error. */
export function classifyTransportError(err: unknown, instanceId: string): UpstreamFailure {
  if (isUpstreamFailure(err)) return err;
  const code = (err as { code?: string } | null)?.code ?? '';
  const name = (err as { name?: string } | null)?.name ?? '';
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') return new UpstreamFailure('invalid_request', instanceId, { cause: err });
  if (CONNECT.has(code)) return new UpstreamFailure('connect', instanceId, { cause: err });
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || isTimeoutError(err) || name === 'AbortError') {
    return new UpstreamFailure('timeout', instanceId, { cause: err });
  }
  if (isBrokenCircuitError(err) || err instanceof IsolatedCircuitError) return new UpstreamFailure('breaker_open', instanceId, { cause: err });
  return new UpstreamFailure('reset', instanceId, { cause: err });
}

/** What a caller sees when no attempt got an answer: 503 (no instance took it), 504 (timeout) or 502. */
export function toClientError(service: string, tried: number, last: unknown, retryAfterSeconds: number): AppError {
  if (tried === 0 || (isUpstreamFailure(last) && last.neverSent)) {
    return new AppError({
      status: 503,
      code: 'no_upstream',
      message: `no ${service} instance is available`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
  if (isUpstreamFailure(last) && last.code === 'invalid_request') {
    return new AppError({ status: 400, code: 'bad_request', message: 'the request cannot be forwarded', cause: last });
  }
  const timedOut = isUpstreamFailure(last) && last.code === 'timeout';
  return new AppError({
    status: timedOut ? 504 : 502,
    code: timedOut ? 'upstream_timeout' : 'upstream_unavailable',
    message: `${service} did not answer`,
    cause: last,
    ...(timedOut ? {} : { headers: { 'retry-after': '1' } }),
  });
}
