/**
 * - `invalid_config`: a document failed the schema (wrong type, unknown key, out of range).
 * - `invalid_document`: the etcd value is not a config document (not JSON, wrong envelope).
 * - `etcd_unavailable`: etcd did not answer.
 * - `revision_not_found`: no version of the service's config at that revision (never written, or compacted).
 * - `not_found`: nothing was ever pushed for the service.
 * - `secret_missing`: a secret reference points to an unset env variable or a missing file.
 */
export type ConfigErrorCode =
  | 'invalid_config'
  | 'invalid_document'
  | 'etcd_unavailable'
  | 'revision_not_found'
  | 'not_found'
  | 'secret_missing';

const brand = Symbol.for('brewops.ConfigError');

/** One problem in a config: the dotted key, and why it was refused. */
export interface ConfigIssue {
  readonly path: string;
  readonly reason: string;
}

export class ConfigError extends Error {
  readonly [brand] = true;
  override readonly name = 'ConfigError';

  constructor(
    readonly code: ConfigErrorCode,
    message: string,
    readonly issues: readonly ConfigIssue[] = [],
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export function isConfigError(e: unknown): e is ConfigError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}
