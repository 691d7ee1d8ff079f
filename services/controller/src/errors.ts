/**
 * - `actuator_unreachable`: the actuator (e.g. the supervisor admin API) did not answer.
 * - `actuator_refused`: it answered with an error (bad token, 5xx).
 * - `unknown_instance`: the actuator does not know the instance (removed on purpose).
 * - `stopped_on_purpose`: the actuator stopped it on request (e.g. `POST /v1/instances/:id/stop`).
 * - `token_missing`: a token file the controller needs does not exist or is empty.
 */
export type ControllerErrorCode = 'actuator_unreachable' | 'actuator_refused' | 'unknown_instance' | 'stopped_on_purpose' | 'token_missing';

const brand = Symbol.for('brewops.ControllerError');

export class ControllerError extends Error {
  readonly [brand] = true;
  override readonly name = 'ControllerError';

  constructor(readonly code: ControllerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isControllerError(e: unknown): e is ControllerError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}
