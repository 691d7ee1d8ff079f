import type { ChannelModel } from 'amqplib';

interface CorkableStream {
  cork(): void;
  uncork(): void;
}

interface MuxLike {
  out?: Partial<CorkableStream>;
  _readIncoming?: (this: MuxLike) => void;
}

/**
 * amqplib queues each channel's frames (a publish is one buffer, an ack another) and its
 * multiplexer later writes them to the socket one `write()` each: one system call per message,
 * which is a large share of a busy publisher's or consumer's CPU. This corks the socket while the
 * multiplexer drains its queues, so what was queued in one turn of the event loop goes out in one
 * `writev`. Back-pressure is unchanged: `write()` still reports a full socket buffer, and the
 * multiplexer still waits for 'drain'. Returns false, changing nothing, when amqplib's internals
 * are not the expected ones (another amqplib version): frames are then written one by one.
 */
export function coalesceWrites(model: ChannelModel): boolean {
  const mux = (model as unknown as { connection?: { muxer?: MuxLike } }).connection?.muxer;
  const out = mux?.out;
  const readIncoming = mux?._readIncoming;
  if (mux === undefined || typeof readIncoming !== 'function' || typeof out?.cork !== 'function' || typeof out.uncork !== 'function') return false;
  const stream = out as CorkableStream;
  mux._readIncoming = function corkedReadIncoming(this: MuxLike): void {
    stream.cork();
    try {
      readIncoming.call(this);
    } finally {
      stream.uncork();
    }
  };
  return true;
}
