/**
 * Errors the CLI shows to a user. Each carries a stable `code`, a one-line message that says
 * what went wrong, and (when there is one) a `fix` that says what to do about it.
 */
export type BrewopsErrorCode =
  | 'usage'
  | 'no_state'
  | 'not_installed'
  | 'install_failed'
  | 'port_in_use'
  | 'start_failed'
  | 'exited'
  | 'not_ready'
  | 'unknown_backend'
  | 'unknown_log'
  | 'supervisor_unreachable'
  | 'interrupted';

const BRAND = Symbol.for('brewops.cli.error');

export class BrewopsError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'BrewopsError';

  constructor(
    readonly code: BrewopsErrorCode,
    message: string,
    /** What the user should do, one line. */
    readonly fix?: string,
    /** Exit status `main` ends with. @default 1 */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Bad command-line input: exit 2 with the usage text. */
export function usageError(message: string): BrewopsError {
  return new BrewopsError('usage', message, undefined, 2);
}

export function isBrewopsError(e: unknown): e is BrewopsError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}

/** One-line description of any thrown value, for messages. */
export function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    const code = cause && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
    if (typeof code === 'string') return `${e.message} (${code})`;
    return e.message;
  }
  return String(e);
}
