import type { ChannelModel } from 'amqplib';
import { MessagingError, errorMessage, replyCodeOf } from './errors.js';
import type { TopologyDeclaration } from './types.js';

/**
 * Runs one declaration on a throw-away channel, so a refused declare (406 conflicting
 * arguments, 404 missing exchange for a binding, ...) closes only that channel. Rejects with
 * `topology_failed`, carrying the broker's `replyCode` when the broker refused.
 */
export async function runDeclaration(conn: ChannelModel, declare: TopologyDeclaration): Promise<void> {
  const ch = await conn.createChannel();
  let refused: unknown;
  ch.on('error', (err: unknown) => (refused = err));
  try {
    await declare(ch);
  } catch (err) {
    const cause = refused ?? err;
    const replyCode = replyCodeOf(refused);
    throw new MessagingError('topology_failed', `topology declaration failed: ${errorMessage(cause)}`, {
      cause,
      ...(replyCode === undefined ? {} : { replyCode }),
    });
  } finally {
    if (refused === undefined) await ch.close().catch(() => undefined);
  }
}
