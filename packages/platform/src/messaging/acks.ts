import type { Channel, ConsumeMessage } from 'amqplib';

/** One delivery on one channel, from arrival until its ack or nack is sent. */
export interface Delivery {
  readonly msg: ConsumeMessage;
  /** `open`: handler running; `ack`: acked, frame not sent yet; `done`: ack or nack sent. */
  state: 'open' | 'ack' | 'done';
}

/**
 * The acks of one channel, sent in as few frames as possible: acks made during one turn of the
 * event loop go out together at its end, as one `multiple` ack up to the newest delivery before
 * which every delivery is settled (so it never covers a message whose handler is still running),
 * and one by one for those behind a still-running handler (a slow message does not hold the
 * others' acks back). Nacks go out at once. A delivery tag is only valid on its channel: a new
 * channel gets a new book, and acks left in a closed channel's book are dropped (the broker
 * redelivers those messages; consumers are idempotent).
 */
export class AckBook {
  private readonly entries: Delivery[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    readonly ch: Pick<Channel, 'ack' | 'nack'>,
    private readonly onSendError: (err: unknown) => void,
  ) {}

  /** Registers a delivery, in delivery order. */
  track(msg: ConsumeMessage): Delivery {
    const d: Delivery = { msg, state: 'open' };
    this.entries.push(d);
    return d;
  }

  ack(d: Delivery): void {
    if (d.state !== 'open') return;
    d.state = 'ack';
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  nack(d: Delivery, requeue: boolean): void {
    if (d.state !== 'open') return;
    d.state = 'done';
    this.send(() => this.ch.nack(d.msg, false, requeue));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends the acks made so far. */
  flush(): void {
    this.scheduled = false;
    const { entries } = this;
    let last: Delivery | undefined;
    while (this.head < entries.length && entries[this.head]!.state !== 'open') {
      const d = entries[this.head++]!;
      if (d.state === 'ack') {
        d.state = 'done';
        last = d;
      }
    }
    if (this.head === entries.length) {
      entries.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      entries.splice(0, this.head);
      this.head = 0;
    }
    if (last !== undefined) {
      // every delivery up to `last` is settled: the ones acked but not sent yet go out with it
      const upTo = last.msg;
      this.send(() => this.ch.ack(upTo, true));
    }
    for (let i = this.head; i < entries.length; i++) {
      const d = entries[i]!;
      if (d.state !== 'ack') continue;
      d.state = 'done';
      this.send(() => this.ch.ack(d.msg, false));
    }
  }

  /** Deliveries not settled yet (tests). */
  get unsettled(): number {
    let n = 0;
    for (let i = this.head; i < this.entries.length; i++) if (this.entries[i]!.state !== 'done') n++;
    return n;
  }

  private send(op: () => void): void {
    try {
      op();
    } catch (err) {
      // channel closed meanwhile: the broker redelivers the message to someone else
      this.onSendError(err);
    }
  }
}
