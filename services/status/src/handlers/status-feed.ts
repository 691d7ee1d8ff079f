import { EventEmitter } from 'node:events';
import type { StatusChange } from './read-model.js';

/** Status changes as they are applied, for the SSE streams; listeners per order and for all. */
export class StatusFeed {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(change: StatusChange): void {
    this.emitter.emit(change.orderId, change);
    this.emitter.emit('*', change);
  }

  /** Subscribes to one order's changes (`'*'`: every order's); returns the unsubscribe function. */
  subscribe(orderId: string, listener: (change: StatusChange) => void): () => void {
    this.emitter.on(orderId, listener);
    return () => this.emitter.off(orderId, listener);
  }
}

/** One server-sent event: `id`, `event` and a JSON `data` line. Pure. */
export function sseFrame(change: StatusChange, seq: number): string {
  return `id: ${seq}\nevent: status\ndata: ${JSON.stringify(change)}\n\n`;
}
