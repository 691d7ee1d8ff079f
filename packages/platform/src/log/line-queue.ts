/**
 * FIFO of log lines with O(1) amortized push, take-from-head, drop-oldest and put-back-at-head.
 * An array with a moving head index, compacted once the dead prefix dominates.
 */
export class LineQueue {
  private items: string[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(line: string): void {
    this.items.push(line);
  }

  /** Removes and returns up to `n` lines from the head. */
  take(n: number): string[] {
    const end = Math.min(this.head + n, this.items.length);
    const out = this.items.slice(this.head, end);
    this.head = end;
    this.compact();
    return out;
  }

  /** Drops up to `n` lines from the head (the oldest); returns how many were dropped. */
  dropOldest(n: number): number {
    const dropped = Math.min(n, this.length);
    this.head += dropped;
    this.compact();
    return dropped;
  }

  /** Puts `lines` back at the head, in order (a batch that failed to ship). */
  unshift(lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (this.head >= lines.length) {
      this.head -= lines.length;
      for (let i = 0; i < lines.length; i++) this.items[this.head + i] = lines[i] as string;
    } else {
      this.items = [...lines, ...this.items.slice(this.head)];
      this.head = 0;
    }
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
