/**
 * - `etcd_unavailable`: etcd did not answer (down, partitioned, or the call deadline passed).
 * - `invalid_instance`: a service or instance name that cannot form a key (empty, or containing `/`).
 * - `closed`: `close()` (or `deregister()`) was called.
 */
export type DiscoveryErrorCode = 'etcd_unavailable' | 'invalid_instance' | 'closed';

const brand = Symbol.for('brewops.DiscoveryError');

export class DiscoveryError extends Error {
  readonly [brand] = true;
  override readonly name = 'DiscoveryError';

  constructor(
    readonly code: DiscoveryErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isDiscoveryError(e: unknown): e is DiscoveryError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}
