/**
 * - `not_connected`: nothing was sent; the connection (or publish channel) is down. Buffer or retry.
 * - `nacked`: the broker refused the message (e.g. a full queue with `reject-publish`).
 * - `unconfirmed`: the connection dropped before the broker confirmed; the message may or may not
 *   have arrived. Retry (consumers are idempotent by message ID).
 * - `channel_error`: the broker closed the channel because of this operation, e.g. a missing
 *   exchange (`replyCode` 404) or a declare that conflicts with an existing one (406).
 * - `closed`: `close()` was called.
 * - `topology_failed`: a declaration passed to `addTopology` failed.
 * - `consume_failed`: `consume` could not subscribe (e.g. the queue does not exist).
 * - `serialize_failed`: the payload is not JSON-serialisable.
 */
export type MessagingErrorCode =
  | 'not_connected'
  | 'nacked'
  | 'unconfirmed'
  | 'channel_error'
  | 'closed'
  | 'topology_failed'
  | 'consume_failed'
  | 'serialize_failed';

const brand = Symbol.for('brewops.MessagingError');

export class MessagingError extends Error {
  readonly [brand] = true;
  override readonly name = 'MessagingError';
  /** AMQP reply code when the broker closed a channel (404 not found, 406 precondition failed, ...). */
  readonly replyCode: number | undefined;
  /** For `publishBatch`: indices of the messages that were not confirmed. */
  readonly failedIndices: readonly number[] | undefined;

  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options: { cause?: unknown; replyCode?: number; failedIndices?: readonly number[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.replyCode = options.replyCode;
    this.failedIndices = options.failedIndices;
  }
}

export function isMessagingError(e: unknown): e is MessagingError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[brand] === true;
}

/** AMQP reply code of an amqplib channel/connection error, if it carries one. */
export function replyCodeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
