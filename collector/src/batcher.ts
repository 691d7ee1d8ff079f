import type { DeadLetter, IndexDoc } from './documents.js';

export type WriteFn = (docs: readonly IndexDoc[], dead: readonly DeadLetter[]) => Promise<unknown>;

export interface BatcherOptions {
  /** A bulk is sent once it holds this many documents. @default 5000 */
  readonly maxDocs?: number;
  /** Longest a message waits for its bulk to fill, ms. @default 50 */
  readonly maxDelayMs?: number;
  /** Bulks written at the same time. @default 2 */
  readonly maxInFlight?: number;
}

interface Part {
  readonly docs: readonly IndexDoc[];
  readonly dead: readonly DeadLetter[];
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Groups the documents of several messages into one bulk (fewer, larger bulks index several
 * times faster). `add` resolves only once the bulk holding its documents was accepted, so each
 * message is still acknowledged only after the backend has it; if that bulk fails, every message
 * in it is rejected (and requeued by the caller).
 */
export class BulkBatcher {
  private readonly maxDocs: number;
  private readonly maxDelayMs: number;
  private readonly maxInFlight: number;
  private pending: Part[] = [];
  private pendingDocs = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The wait for a full bulk expired while every slot was busy: send as soon as one frees. */
  private due = false;

  constructor(private readonly write: WriteFn, opts: BatcherOptions = {}) {
    this.maxDocs = Math.max(1, opts.maxDocs ?? 5000);
    this.maxDelayMs = opts.maxDelayMs ?? 50;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 2);
  }

  add(docs: readonly IndexDoc[], dead: readonly DeadLetter[]): Promise<void> {
    if (docs.length === 0 && dead.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ docs, dead, resolve, reject });
      this.pendingDocs += docs.length + dead.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.pending.length === 0 || this.inFlight >= this.maxInFlight) return;
    if (this.pendingDocs >= this.maxDocs) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.maxDelayMs);
    }
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    if (this.inFlight >= this.maxInFlight) {
      this.due = true; // picked up when a bulk finishes
      return;
    }
    this.due = false;
    const parts: Part[] = [];
    let n = 0;
    while (this.pending.length > 0 && (parts.length === 0 || n + this.size(this.pending[0]!) <= this.maxDocs)) {
      const p = this.pending.shift()!;
      n += this.size(p);
      parts.push(p);
    }
    this.pendingDocs -= n;
    this.inFlight++;
    this.write(parts.flatMap((p) => p.docs), parts.flatMap((p) => p.dead)).then(
      () => { for (const p of parts) p.resolve(); },
      (err: unknown) => { for (const p of parts) p.reject(err); },
    ).finally(() => {
      this.inFlight--;
      if (this.due || this.pendingDocs >= this.maxDocs) this.flush();
      else this.schedule();
    });
  }

  private size(p: Part): number {
    return p.docs.length + p.dead.length;
  }
}
